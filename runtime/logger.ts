import type { LogFields, Logger } from '../sdk/types'
import { nowMs } from './tracing'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export interface LogRecord {
  time: number
  level: LogLevel
  msg: string
  step?: string
  traceId?: string
  /** The span the record was written in (tracing on); the trace store attaches it there. */
  spanId?: string
  fields?: LogFields
}

/** Where records go: the terminal, the console's live tail, a test's capture. */
export type LogSink = (record: LogRecord) => void

/** Where a logger writes: the hub on the engine thread, a message port in a worker. */
export interface LogTarget {
  enabled(level: LogLevel): boolean
  emit(record: LogRecord): void
}

export interface LogHub extends LogTarget {
  readonly level: LogLevel
  addSink(sink: LogSink): () => void
  setLevel(level: LogLevel): void
}

export function isLogLevel(v: unknown): v is LogLevel {
  return typeof v === 'string' && v in LEVEL_RANK
}

export function createLogHub(level: LogLevel, sinks: LogSink[] = []): LogHub {
  let rank = LEVEL_RANK[level]
  let current = level
  const all = [...sinks]
  return {
    get level() {
      return current
    },
    enabled: (l) => LEVEL_RANK[l] >= rank,
    emit(record) {
      for (const sink of all) sink(record)
    },
    addSink(sink) {
      all.push(sink)
      return () => {
        const i = all.indexOf(sink)
        if (i >= 0) all.splice(i, 1)
      }
    },
    setLevel(l) {
      current = l
      rank = LEVEL_RANK[l]
    },
  }
}

interface Bindings {
  step?: string
  traceId?: string
  spanId?: string
  fields?: LogFields
}

/** Structured logger bound to a step and trace; cheap to create (one object, no closures). */
export class StructuredLogger implements Logger {
  constructor(
    private readonly hub: LogTarget,
    private readonly bindings: Bindings = {},
  ) {}

  debug(message: string, fields?: LogFields): void {
    this.write('debug', message, fields)
  }
  info(message: string, fields?: LogFields): void {
    this.write('info', message, fields)
  }
  warn(message: string, fields?: LogFields): void {
    this.write('warn', message, fields)
  }
  error(message: string, fields?: LogFields): void {
    this.write('error', message, fields)
  }

  /**
   * An info record written whatever `logging.level` says: for the few lines an operator must
   * always get, such as where the server listens (with `--port 0` nothing else tells).
   */
  notice(message: string, fields?: LogFields): void {
    this.emit('info', message, fields)
  }

  log(entry: LogFields & { msg?: string; message?: string; level?: string }): void {
    const { msg, message, level, ...rest } = entry
    const l: LogLevel = level && level in LEVEL_RANK ? (level as LogLevel) : 'info'
    this.write(l, String(msg ?? message ?? ''), rest)
  }

  child(fields: LogFields): StructuredLogger {
    const { step, traceId, ...rest } = fields
    const b = this.bindings
    const bindings: Bindings = { fields: { ...b.fields, ...rest } }
    const s = typeof step === 'string' ? step : b.step
    const t = typeof traceId === 'string' ? traceId : b.traceId
    if (s) bindings.step = s
    if (t) bindings.traceId = t
    if (b.spanId && t === b.traceId) bindings.spanId = b.spanId
    return new StructuredLogger(this.hub, bindings)
  }

  private write(level: LogLevel, msg: string, fields?: LogFields): void {
    if (this.hub.enabled(level)) this.emit(level, msg, fields)
  }

  private emit(level: LogLevel, msg: string, fields?: LogFields): void {
    const b = this.bindings
    const merged = b.fields ? (fields ? { ...b.fields, ...fields } : b.fields) : fields
    const record: LogRecord = { time: nowMs(), level, msg }
    if (b.step) record.step = b.step
    if (b.traceId) record.traceId = b.traceId
    if (b.spanId) record.spanId = b.spanId
    if (merged && Object.keys(merged).length > 0) record.fields = normalizeFields(merged)
    this.hub.emit(record)
  }
}

/** Errors are not JSON-friendly: keep their message and stack. */
function normalizeFields(fields: LogFields): LogFields {
  let out: LogFields | undefined
  for (const k in fields) {
    const v = fields[k]
    if (v instanceof Error) {
      out ??= { ...fields }
      out[k] = { name: v.name, message: v.message, stack: v.stack }
    }
  }
  return out ?? fields
}
