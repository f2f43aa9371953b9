/// <reference lib="dom" />
import type { LiveEvent } from '../live-feed'
import { consoleToken } from './api'

export type { LiveEvent }

type Listener<T extends LiveEvent['type']> = (event: Extract<LiveEvent, { type: T }>) => void

/** Events the server sends only to a socket that asked for them (they cost it work to make). */
const ASKED_FOR = new Set<LiveEvent['type']>(['metrics'])

/**
 * The one WebSocket to `/api/live`: pages subscribe by event type and unsubscribe when they
 * unmount. Reconnects with a growing delay when the runtime restarts. Events the server makes
 * on request (`metrics`) are asked for while a page listens, and again on each reconnect.
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
      for (const type of ASKED_FOR) if (this.listeners.get(type)?.size) this.ask({ subscribe: type })
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
    if (ASKED_FOR.has(type) && set.size === 1) this.ask({ subscribe: type })
    return () => {
      set.delete(l)
      if (ASKED_FOR.has(type) && set.size === 0) this.ask({ unsubscribe: type })
    }
  }

  close(): void {
    this.closed = true
    this.ws?.close()
  }

  /** Sent when open; a closed socket asks again from `onopen`. */
  private ask(message: { subscribe: string } | { unsubscribe: string }): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message))
  }

  private setStatus(connected: boolean): void {
    this.connected = connected
    this.onStatus(connected)
  }
}
