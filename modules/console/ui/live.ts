/// <reference lib="dom" />
import type { LiveEvent } from '../live-feed'
import { consoleToken } from './api'

export type { LiveEvent }

type Listener<T extends LiveEvent['type']> = (event: Extract<LiveEvent, { type: T }>) => void

/**
 * The one WebSocket to `/api/live`: pages subscribe by event type and unsubscribe when they
 * unmount. Reconnects with a growing delay when the runtime restarts.
 */
export class LiveConnection {
  private ws: WebSocket | undefined
  private readonly listeners = new Map<string, Set<(e: LiveEvent) => void>>()
  private retry = 500
  private closed = false
  connected = false
  onStatus: (connected: boolean) => void = () => {}

  connect(): void {
    const url = new URL('/api/live', location.href)
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:'
    const token = consoleToken()
    if (token) url.searchParams.set('token', token)
    const ws = new WebSocket(url)
    this.ws = ws
    ws.onopen = () => {
      this.retry = 500
      this.setStatus(true)
    }
    ws.onmessage = (m) => {
      const { events } = JSON.parse(String(m.data)) as { events: LiveEvent[] }
      for (const e of events) for (const l of this.listeners.get(e.type) ?? []) l(e)
    }
    ws.onclose = () => {
      this.setStatus(false)
      if (this.closed) return
      setTimeout(() => this.connect(), this.retry)
      this.retry = Math.min(this.retry * 2, 10_000)
    }
  }

  on<T extends LiveEvent['type']>(type: T, listener: Listener<T>): () => void {
    let set = this.listeners.get(type)
    if (!set) {
      set = new Set()
      this.listeners.set(type, set)
    }
    const l = listener as (e: LiveEvent) => void
    set.add(l)
    return () => set.delete(l)
  }

  close(): void {
    this.closed = true
    this.ws?.close()
  }

  private setStatus(connected: boolean): void {
    this.connected = connected
    this.onStatus(connected)
  }
}
