import type { LogLevel, LogRecord } from '../../runtime/logger'

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export interface LogFilter {
  /** Minimum level. */
  level?: LogLevel
  step?: string
  traceId?: string
  /** Case-insensitive text searched in the message. */
  text?: string
  /** Newest records kept from the matches (default 500). */
  limit?: number
}

/** Each record gets a sequence number, so a client merging a listing with live records can skip doubles. */
export type BufferedLog = LogRecord & { seq: number }

/** The recent log records, newest last: a fixed-size ring the console's Logs page reads first. */
export class LogBuffer {
  private readonly ring: (BufferedLog | undefined)[]
  private next = 0
  private seq = 0

  constructor(readonly capacity = 2000) {
    this.ring = new Array(capacity)
  }

  push(record: LogRecord): BufferedLog {
    const entry = { ...record, seq: ++this.seq }
    this.ring[this.next] = entry
    this.next = (this.next + 1) % this.capacity
    return entry
  }

  /** Matching records in time order (oldest first), at most `limit`, the newest kept. */
  query(filter: LogFilter = {}): BufferedLog[] {
    const min = filter.level ? RANK[filter.level] : 0
    const text = filter.text?.toLowerCase()
    const limit = filter.limit ?? 500
    const out: BufferedLog[] = []
    for (let i = 1; i <= this.capacity && out.length < limit; i++) {
      const r = this.ring[(this.next - i + this.capacity) % this.capacity]
      if (!r) break
      if (RANK[r.level] < min) continue
      if (filter.step && r.step !== filter.step) continue
      if (filter.traceId && r.traceId !== filter.traceId) continue
      if (text && !r.msg.toLowerCase().includes(text)) continue
      out.push(r)
    }
    return out.reverse()
  }
}
