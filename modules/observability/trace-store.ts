import type { Database, Statement } from 'bun:sqlite'
import type { LogRecord, StructuredLogger } from '../../runtime/logger'
import { SLICE_MS, TimeSlice } from '../../runtime/time-slice'
import type { SpanRecord, SpanStatusName } from '../../runtime/tracing'
import { FailureEpisode } from '../storage/failure-episode'
import { storageError } from '../storage/storage-error'
import {
  deltas,
  jsonLines,
  MAX_TRACE_LOGS,
  MAX_TRACE_SPANS,
  spanLines,
  type TraceDelta,
  withLogEvents,
} from './trace-deltas'
import { createTraceTable, UPSERT } from './trace-sql'

export interface TraceSummary {
  traceId: string
  /** The root span's name (the earliest span's when the root lives elsewhere). */
  name: string
  step?: string
  startTime: number
  endTime: number
  durationMs: number
  status: SpanStatusName
  spans: number
}

export interface TraceFilter {
  /** Traces with a span of this step. */
  step?: string
  status?: string
  limit?: number
}

export { MAX_TRACE_LOGS, MAX_TRACE_SPANS }

/** Spans and log records are buffered and written once per this interval. */
const FLUSH_MS = 1000

export interface TraceStoreOptions {
  /** Where the one warning goes when writes fail (a full disk, a file locked elsewhere). */
  log?: Pick<StructuredLogger, 'info' | 'warn' | 'error'>
  /** The file, for messages. */
  file?: string
}

const SILENT = { info() {}, warn() {}, error() {} }

const lines = <T>(data: string): T[] => (data ? data.split('\n').map((l) => JSON.parse(l) as T) : [])

interface TraceRow {
  trace_id: string
  name: string
  step: string | null
  start: number
  end: number
  status: SpanStatusName
  spans: number
}

/**
 * The traces the console shows, in SQLite (`.motia/traces.db`): the newest `maxTraces` traces,
 * their spans and the log records written in them. Writes are buffered and committed once a
 * second, so a request pays an array push, not a disk write. Under a load of more traces per
 * second than are kept, each window between writes admits the first `maxTraces` traces it
 * sees (and later spans and logs of traces admitted in it or the window before); the rest are
 * not buffered at all. Dropping them at once, rather than buffering and cutting later, lets
 * their spans die young: measured with callgrind on the hello route, buffered spans that
 * outlive a garbage collection cost ~3k instructions a request.
 *
 * Traces are best effort: a write that fails (a full disk, a file locked elsewhere, a damaged
 * file) drops what it held and pauses recording, with one warning; recording starts again
 * after a wait (1 s doubling to 30 s) and stays on once a write succeeds, which is logged too.
 */
export class TraceStore {
  private spans: SpanRecord[] = []
  private logs: LogRecord[] = []
  private timer: ReturnType<typeof setTimeout> | undefined
  private readonly upsert: Statement
  private readonly prune: () => void
  /** Writes traces from the start of the list until `budgetMs` has passed; returns how many. */
  private readonly write: (traces: readonly [string, TraceDelta][], budgetMs: number) => number
  /** Grouped by trace, waiting for their transaction. */
  private backlog: [string, TraceDelta][] = []
  private writing = false
  /** At most this many spans (and as many log records) wait for one write. */
  private readonly bufferCap: number
  /** Traces admitted in this window and in the one before: their later spans and logs are kept. */
  private admitted = new Set<string>()
  private previous = new Set<string>()
  /** A write failed: nothing is recorded until `resume` fires. */
  private paused = false
  private resume: ReturnType<typeof setTimeout> | undefined
  private readonly failures: FailureEpisode
  private readonly file: string
  /** Start (epoch ms) of the oldest trace the last prune kept: older ones are gone. */
  private horizon = 0
  /** Spans ended in these [from, to] epoch-ms windows may be lost to a failed write (newest last). */
  private readonly lost: [number, number][] = []
  /** When the backlog was last fully written, and when its newest part was taken. */
  private drainedAt = 0
  private takenAt = 0

  constructor(
    private readonly db: Database,
    private readonly maxTraces: number,
    options: TraceStoreOptions = {},
  ) {
    this.file = options.file ?? (db.filename || ':memory:')
    this.failures = new FailureEpisode(options.log ?? SILENT, `traces: writing ${this.file}`, {
      level: 'warn',
      minMs: 1000,
    })
    createTraceTable(db)
    this.bufferCap = Math.max(maxTraces * 4, 4_000)
    this.upsert = db.prepare(UPSERT)
    const count = db.prepare<{ n: number }, []>('SELECT count(*) AS n FROM motia_traces')
    const oldestKept = db.prepare<{ start: number }, [number]>(
      'SELECT start FROM motia_traces ORDER BY start DESC LIMIT 1 OFFSET ?1',
    )
    const pruneOld = db.prepare('DELETE FROM motia_traces WHERE start < ?1')
    // Retention with slack: pruning when a tenth over the limit deletes in batches, not a row a write.
    this.prune = () => {
      if (count.get()!.n <= this.maxTraces + Math.ceil(this.maxTraces / 10)) return
      const cut = oldestKept.get(this.maxTraces - 1)!.start
      pruneOld.run(cut)
      this.horizon = Math.max(this.horizon, cut)
    }
    this.write = db.transaction((traces: readonly [string, TraceDelta][], budgetMs: number) => {
      // Inside one transaction, so the slice ends it rather than awaiting (SQLite is synchronous).
      const slice = new TimeSlice(budgetMs)
      let n = 0
      for (const [id, t] of traces) {
        // A clock read (~50 ns) is nothing beside a trace's upsert (5 µs and up).
        if (n > 0 && slice.due()) break
        n++
        this.upsert.run(
          id,
          t.name,
          t.step,
          t.root,
          t.start,
          t.end,
          t.status,
          t.spans,
          t.steps.size ? `,${[...t.steps].join(',')},` : '',
          spanLines(t.spanData),
          t.logs,
          jsonLines(t.logData),
        )
      }
      this.prune()
      return n
    })
  }

  /** Buffers the span for the next write; false when it is not kept (no room, not admitted, paused). */
  add(span: SpanRecord): boolean {
    if (this.spans.length >= this.bufferCap || !this.admits(span.traceId)) return false
    this.spans.push(span)
    this.schedule()
    return true
  }

  addLog(record: LogRecord): void {
    if (!record.traceId || this.logs.length >= this.bufferCap || !this.admits(record.traceId)) return
    this.logs.push(record)
    this.schedule()
  }

  /** Whether a trace not seen before would be admitted now. */
  hasRoom(): boolean {
    return !this.paused && this.admitted.size < this.maxTraces
  }

  /**
   * Whether this trace is kept: admitted in this window or the one before, or admitted now
   * while the window has room for another of `maxTraces` new traces.
   */
  admits(traceId: string): boolean {
    if (this.paused) return false
    if (this.admitted.has(traceId) || this.previous.has(traceId)) return true
    if (this.admitted.size >= this.maxTraces) return false
    this.admitted.add(traceId)
    return true
  }

  /**
   * Whether a span that ended at `time` (epoch ms) may have left the store: its trace is older
   * than what retention keeps, or it was buffered when a write failed. The console offers no
   * exemplar that would open a missing trace. Errs towards true near a failed write's edges.
   */
  gone(time: number): boolean {
    if (time < this.horizon) return true
    for (const [from, to] of this.lost) if (time >= from && time <= to) return true
    return false
  }

  /** Writes everything buffered, at once. Reads call it first, so they see every ended span. */
  flush(): void {
    this.take()
    if (this.backlog.length === 0) return
    const all = this.backlog
    this.backlog = []
    this.tryWrite(all, Number.POSITIVE_INFINITY)
  }

  /** How many traces the write took (0: it failed, which pauses recording; never throws). */
  private tryWrite(traces: readonly [string, TraceDelta][], budgetMs: number): number {
    try {
      const n = this.write(traces, budgetMs)
      this.failures.succeeded()
      if (n === traces.length) this.drainedAt = this.takenAt
      return n
    } catch (err) {
      this.pause(err)
      return 0
    }
  }

  private pause(err: unknown): void {
    // What was buffered or waiting since the last full write is dropped; a second of slack
    // covers a span's end clock and the buffer's (the same wall clock, read moments apart).
    this.lost.push([this.drainedAt - 1000, Date.now() + 1000])
    if (this.lost.length > 16) this.lost.shift()
    this.paused = true
    this.spans = []
    this.logs = []
    this.backlog = []
    this.admitted = new Set()
    this.previous = new Set()
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    const wait = this.failures.failed(
      storageError(err, this.file),
      'trace recording is paused (requests and jobs are not affected) and tried again later',
    )
    clearTimeout(this.resume)
    this.resume = setTimeout(() => {
      this.resume = undefined
      this.paused = false
    }, wait)
    this.resume.unref?.()
  }

  /**
   * The timed write: a transaction per SLICE_MS (0.5 ms) of writing, yielding in between. A
   * second's write of 200+ traces at once held the loop for ms, into a single connection's p99.
   */
  private flushInChunks(): void {
    this.take()
    if (this.writing || this.backlog.length === 0) return
    this.writing = true
    // A read or close in between may have written the rest already.
    const step = () => {
      if (this.backlog.length === 0) {
        this.writing = false
        return
      }
      const n = this.tryWrite(this.backlog, SLICE_MS)
      if (n === 0) {
        this.writing = false
        return
      }
      this.backlog.splice(0, n)
      setImmediate(step)
    }
    step()
  }

  /** Moves the buffer into the backlog, grouped by trace. */
  private take(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    if (this.spans.length === 0 && this.logs.length === 0) return
    // Each write opens a new admission window: up to maxTraces new traces until the next one.
    this.previous = this.admitted
    this.admitted = new Set()
    this.takenAt = Date.now()
    const { spans, logs } = this
    this.spans = []
    this.logs = []
    for (const entry of deltas(spans, logs)) this.backlog.push(entry)
  }

  list(filter: TraceFilter = {}): TraceSummary[] {
    this.flush()
    const where = ['spans > 0']
    const params: (string | number)[] = []
    if (filter.step) {
      where.push("instr(steps, ',' || ? || ',') > 0")
      params.push(filter.step)
    }
    if (filter.status) {
      where.push('status = ?')
      params.push(filter.status)
    }
    // Between prunes the table may hold a few more than maxTraces; the listing never does.
    params.push(Math.min(filter.limit ?? 100, this.maxTraces))
    const rows = this.read(() =>
      this.db
        .query<TraceRow, (string | number)[]>(
          `SELECT trace_id, name, step, start, end, status, spans FROM motia_traces
           WHERE ${where.join(' AND ')} ORDER BY start DESC LIMIT ?`,
        )
        .all(...params),
    )
    return rows.map((r) => ({
      traceId: r.trace_id,
      name: r.name,
      ...(r.step ? { step: r.step } : {}),
      startTime: r.start,
      endTime: r.end,
      durationMs: r.end - r.start,
      status: r.status,
      spans: r.spans,
    }))
  }

  get(traceId: string): { spans: SpanRecord[]; logs: LogRecord[] } | null {
    this.flush()
    const row = this.read(() =>
      this.db
        .query<{ span_data: string; log_data: string }, [string]>(
          'SELECT span_data, log_data FROM motia_traces WHERE trace_id = ? AND spans > 0',
        )
        .get(traceId),
    )
    if (!row) return null
    const spans = lines<SpanRecord>(row.span_data).sort((a, b) => a.startTime - b.startTime)
    const logs = lines<LogRecord>(row.log_data).sort((a, b) => a.time - b.time)
    return { spans: withLogEvents(spans, logs), logs }
  }

  close(): void {
    this.flush()
    clearTimeout(this.resume)
  }

  /** A failed read names the file. */
  private read<T>(run: () => T): T {
    try {
      return run()
    } catch (err) {
      throw storageError(err, this.file)
    }
  }

  private schedule(): void {
    if (this.timer) return
    this.timer = setTimeout(() => this.flushInChunks(), FLUSH_MS)
    this.timer.unref?.()
  }
}
