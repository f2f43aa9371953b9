import type { SubscriptionStats } from '../queue/adapter'
import type { StreamEvent } from '../streams/adapter'
import type { MetricsAnswer } from './live-metrics'
import type { BufferedLog } from './log-buffer'
import type { ConsoleSpan } from './traces'

/** What `/api/live` sends, in frames of `{ "events": LiveEvent[] }` (docs/console.md). */
export type LiveEvent =
  | { type: 'log'; record: BufferedLog }
  | {
      type: 'state'
      groupId: string
      key: string
      event: 'created' | 'updated' | 'deleted'
      value: unknown
      step: string
      traceId: string
    }
  | { type: 'stream'; streamName: string; groupId: string; id?: string; event: StreamEvent }
  | { type: 'span'; span: ConsoleSpan }
  | { type: 'queues'; stats: SubscriptionStats[] }
  /** Only to sockets that asked (`{ "subscribe": "metrics" }`, live-metrics.ts). */
  | { type: 'metrics'; metrics: MetricsAnswer }
  | { type: 'project' }
  | { type: 'hello'; tracing: boolean; mode: string }

/** Most events a frame carries; beyond it the oldest log records give way (a log storm must not stall the page). */
const MAX_PER_FRAME = 1000

/**
 * Batches live events into one WebSocket frame per `flushMs`, and does nothing while nobody
 * watches: the runtime's hot paths pay one boolean check when the console is closed.
 */
export class LiveFeed {
  private pending: LiveEvent[] = []
  private dropped = 0
  private timer: ReturnType<typeof setTimeout> | undefined

  constructor(
    private readonly send: (frame: string) => void,
    private readonly watching: () => boolean,
    private readonly flushMs = 50,
  ) {}

  /** Whether anybody watches: callers skip building costly events otherwise. */
  get active(): boolean {
    return this.watching()
  }

  push(event: LiveEvent): void {
    if (!this.watching()) return
    this.pending.push(event)
    if (this.pending.length > MAX_PER_FRAME) {
      const i = this.pending.findIndex((e) => e.type === 'log')
      this.pending.splice(Math.max(i, 0), 1)
      this.dropped++
    }
    this.timer ??= setTimeout(() => this.flush(), this.flushMs)
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    if (this.pending.length === 0) return
    const events = this.pending
    const dropped = this.dropped
    this.pending = []
    this.dropped = 0
    this.send(frame(events, dropped))
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    this.pending = []
  }
}

/** A frame of one event already turned into JSON (`frame`'s shape, for an event too big to stringify at once). */
export function frameOfJson(eventJson: string): string {
  return `{"events":[${eventJson}]}`
}

/** One frame; an event that cannot be serialised (a BigInt in a log field) is left out, not the frame. */
export function frame(events: LiveEvent[], dropped = 0): string {
  const extra = dropped ? { dropped } : {}
  try {
    return JSON.stringify({ events, ...extra })
  } catch {
    const ok = events.filter((e) => {
      try {
        JSON.stringify(e)
        return true
      } catch {
        return false
      }
    })
    return JSON.stringify({ events: ok, dropped: dropped + events.length - ok.length })
  }
}
