import type { Database, Statement } from 'bun:sqlite'
import type { LogRecord } from '../../runtime/logger'
import type { SpanRecord, SpanStatusName } from '../../runtime/tracing'

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

/** Spans and log records are buffered and written in one transaction per this interval. */
const FLUSH_MS = 250
/** A buffer this long is written at once. */
const FLUSH_AT = 4096

const SCHEMA = `
CREATE TABLE IF NOT EXISTS motia_traces (
  trace_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  step TEXT,
  root INTEGER NOT NULL,
  start REAL NOT NULL,
  end REAL NOT NULL,
  status TEXT NOT NULL,
  spans INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS motia_traces_start ON motia_traces(start);
CREATE TABLE IF NOT EXISTS motia_spans (
  trace_id TEXT NOT NULL,
  span_id TEXT NOT NULL,
  parent_span_id TEXT,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  step TEXT,
  start REAL NOT NULL,
  end REAL NOT NULL,
  status TEXT NOT NULL,
  status_message TEXT,
  attributes TEXT NOT NULL,
  events TEXT NOT NULL,
  PRIMARY KEY (trace_id, span_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS motia_spans_step ON motia_spans(step);
CREATE TABLE IF NOT EXISTS motia_trace_logs (
  trace_id TEXT NOT NULL,
  span_id TEXT,
  time REAL NOT NULL,
  level TEXT NOT NULL,
  msg TEXT NOT NULL,
  step TEXT,
  fields TEXT
);
CREATE INDEX IF NOT EXISTS motia_trace_logs_trace ON motia_trace_logs(trace_id, time);
`

const stringify = (v: unknown): string => {
  try {
    return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)) ?? 'null'
  } catch {
    return '"[unserialisable]"'
  }
}

interface TraceRow {
  trace_id: string
  name: string
  step: string | null
  start: number
  end: number
  status: SpanStatusName
  spans: number
}

interface SpanRow {
  trace_id: string
  span_id: string
  parent_span_id: string | null
  name: string
  kind: SpanRecord['kind']
  start: number
  end: number
  status: SpanStatusName
  status_message: string | null
  attributes: string
  events: string
}

interface LogRow {
  span_id: string | null
  time: number
  level: LogRecord['level']
  msg: string
  step: string | null
  trace_id: string
  fields: string | null
}

/**
 * The traces the console shows, in the project's SQLite file: the newest `maxTraces` traces,
 * their spans and the log records written in them. Writes are buffered and committed in one
 * transaction every 250 ms, so a request pays an array push, not a disk write. Under a load of
 * more traces per interval than are kept, only the newest `maxTraces` are written: retention
 * would delete the others at once.
 */
export class TraceStore {
  private spans: SpanRecord[] = []
  private logs: LogRecord[] = []
  private timer: ReturnType<typeof setTimeout> | undefined
  private readonly insertSpan: Statement
  private readonly upsertTrace: Statement
  private readonly insertLog: Statement
  private readonly countTraces: Statement<{ n: number }>
  private readonly prune: () => void
  private readonly write: (spans: SpanRecord[], logs: LogRecord[]) => void

  constructor(
    private readonly db: Database,
    private readonly maxTraces: number,
  ) {
    db.run(SCHEMA)
    this.insertSpan = db.prepare(
      `INSERT OR REPLACE INTO motia_spans (trace_id, span_id, parent_span_id, name, kind, step, start, end, status, status_message, attributes, events)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)`,
    )
    // In DO UPDATE, bare column names are the stored row's values: the root span (no parent)
    // names the trace, else the earliest span does.
    this.upsertTrace = db.prepare(
      `INSERT INTO motia_traces (trace_id, name, step, root, start, end, status, spans) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
       ON CONFLICT(trace_id) DO UPDATE SET
         name = CASE WHEN excluded.root > root OR (excluded.root = root AND excluded.start < start) THEN excluded.name ELSE name END,
         step = CASE WHEN excluded.root > root OR (excluded.root = root AND excluded.start < start) THEN excluded.step ELSE step END,
         root = max(root, excluded.root),
         start = min(start, excluded.start),
         end = max(end, excluded.end),
         status = CASE WHEN status = 'error' OR excluded.status = 'error' THEN 'error' ELSE excluded.status END,
         spans = spans + excluded.spans`,
    )
    this.insertLog = db.prepare(
      'INSERT INTO motia_trace_logs (trace_id, span_id, time, level, msg, step, fields) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)',
    )
    this.countTraces = db.prepare('SELECT count(*) AS n FROM motia_traces')
    const oldest = 'SELECT trace_id FROM motia_traces ORDER BY start DESC LIMIT -1 OFFSET ?1'
    const pruneSpans = db.prepare(`DELETE FROM motia_spans WHERE trace_id IN (${oldest})`)
    const pruneLogs = db.prepare(`DELETE FROM motia_trace_logs WHERE trace_id IN (${oldest})`)
    const pruneTraces = db.prepare(`DELETE FROM motia_traces WHERE trace_id IN (${oldest})`)
    // Log records of traces that never had a span (written outside any execution).
    const pruneStrayLogs = db.prepare('DELETE FROM motia_trace_logs WHERE time < (SELECT min(start) FROM motia_traces)')
    this.prune = () => {
      if (this.countTraces.get()!.n <= this.maxTraces) return
      pruneSpans.run(this.maxTraces)
      pruneLogs.run(this.maxTraces)
      pruneTraces.run(this.maxTraces)
      pruneStrayLogs.run()
    }
    this.write = db.transaction((spans: SpanRecord[], logs: LogRecord[]) => this.writeBatch(spans, logs))
  }

  add(span: SpanRecord): void {
    this.spans.push(span)
    this.schedule()
  }

  addLog(record: LogRecord): void {
    this.logs.push(record)
    this.schedule()
  }

  /** Writes what is buffered. Reads call it first, so they see every ended span. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    if (this.spans.length === 0 && this.logs.length === 0) return
    const spans = this.newest(this.spans)
    const keep = spans === this.spans ? undefined : new Set(spans.map((s) => s.traceId))
    const logs = keep ? this.logs.filter((l) => keep.has(l.traceId!)) : this.logs
    this.spans = []
    this.logs = []
    this.write(spans, logs)
  }

  list(filter: TraceFilter = {}): TraceSummary[] {
    this.flush()
    const where: string[] = []
    const params: (string | number)[] = []
    if (filter.step) {
      where.push('trace_id IN (SELECT trace_id FROM motia_spans WHERE step = ?)')
      params.push(filter.step)
    }
    if (filter.status) {
      where.push('status = ?')
      params.push(filter.status)
    }
    params.push(filter.limit ?? 100)
    const rows = this.db
      .query<TraceRow, (string | number)[]>(
        `SELECT * FROM motia_traces ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY start DESC LIMIT ?`,
      )
      .all(...params)
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
    const spans = this.db
      .query<SpanRow, [string]>('SELECT * FROM motia_spans WHERE trace_id = ? ORDER BY start')
      .all(traceId)
      .map(fromSpanRow)
    if (spans.length === 0) return null
    const logs = this.db
      .query<LogRow, [string]>('SELECT * FROM motia_trace_logs WHERE trace_id = ? ORDER BY time')
      .all(traceId)
      .map(fromLogRow)
    return { spans, logs }
  }

  close(): void {
    this.flush()
  }

  private schedule(): void {
    if (this.spans.length + this.logs.length >= FLUSH_AT) this.flush()
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), FLUSH_MS)
      this.timer.unref?.()
    }
  }

  /** The spans of the newest `maxTraces` traces of a batch (all of them, usually). */
  private newest(spans: SpanRecord[]): SpanRecord[] {
    if (spans.length <= this.maxTraces) return spans
    const keep = new Set<string>()
    let i = spans.length - 1
    for (; i >= 0; i--) {
      const id = spans[i]!.traceId
      if (!keep.has(id)) {
        if (keep.size === this.maxTraces) break
        keep.add(id)
      }
    }
    return i < 0 ? spans : spans.filter((s) => keep.has(s.traceId))
  }

  private writeBatch(spans: SpanRecord[], logs: LogRecord[]): void {
    const traces = new Map<string, Omit<TraceRow, 'trace_id'> & { root: number }>()
    for (const s of spans) {
      const step = typeof s.attributes['motia.step'] === 'string' ? (s.attributes['motia.step'] as string) : null
      this.insertSpan.run(
        s.traceId,
        s.spanId,
        s.parentSpanId ?? null,
        s.name,
        s.kind,
        step,
        s.startTime,
        s.endTime,
        s.status,
        s.statusMessage ?? null,
        stringify(s.attributes),
        stringify(s.events),
      )
      const root = s.parentSpanId ? 0 : 1
      const t = traces.get(s.traceId)
      if (!t) {
        traces.set(s.traceId, {
          name: s.name,
          step,
          root,
          start: s.startTime,
          end: s.endTime,
          status: s.status === 'error' ? 'error' : 'ok',
          spans: 1,
        })
        continue
      }
      if (root > t.root || (root === t.root && s.startTime < t.start)) {
        t.name = s.name
        t.step = step
        t.root = root
      }
      t.start = Math.min(t.start, s.startTime)
      t.end = Math.max(t.end, s.endTime)
      if (s.status === 'error') t.status = 'error'
      t.spans++
    }
    for (const [id, t] of traces) this.upsertTrace.run(id, t.name, t.step, t.root, t.start, t.end, t.status, t.spans)
    for (const l of logs) {
      this.insertLog.run(
        l.traceId!,
        l.spanId ?? null,
        l.time,
        l.level,
        l.msg,
        l.step ?? null,
        l.fields ? stringify(l.fields) : null,
      )
    }
    this.prune()
  }
}

function fromSpanRow(r: SpanRow): SpanRecord {
  const s: SpanRecord = {
    traceId: r.trace_id,
    spanId: r.span_id,
    name: r.name,
    kind: r.kind,
    startTime: r.start,
    endTime: r.end,
    status: r.status,
    attributes: JSON.parse(r.attributes),
    events: JSON.parse(r.events),
  }
  if (r.parent_span_id) s.parentSpanId = r.parent_span_id
  if (r.status_message) s.statusMessage = r.status_message
  return s
}

function fromLogRow(r: LogRow): LogRecord {
  const l: LogRecord = { time: r.time, level: r.level, msg: r.msg, traceId: r.trace_id }
  if (r.step) l.step = r.step
  if (r.span_id) l.spanId = r.span_id
  if (r.fields) l.fields = JSON.parse(r.fields)
  return l
}
