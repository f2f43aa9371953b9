import type { LogRecord, LogSink } from './logger'
import { NOT_SAMPLED_SPAN_ID } from './trace-id'

/** JSON lines: one object a record, for files and log shippers. */
export function formatJson(r: LogRecord): string {
  const out: Record<string, unknown> = { time: new Date(r.time).toISOString(), level: r.level, msg: r.msg }
  if (r.step) out.step = r.step
  if (r.traceId) out.traceId = r.traceId
  // A not-sampled execution's records carry the marker span id (no span to join): the trace id alone.
  if (r.spanId && r.spanId !== NOT_SAMPLED_SPAN_ID) out.spanId = r.spanId
  if (r.fields) Object.assign(out, r.fields)
  return safeStringify(out)
}

const COLORS: Record<LogRecord['level'], string> = {
  debug: '\x1b[90m',
  info: '\x1b[36m',
  warn: '\x1b[33m',
  error: '\x1b[31m',
}
const DIM = '\x1b[2m'
const RESET = '\x1b[0m'

/** Readable in a terminal: time, level, step, message, fields, short trace id. */
export function formatPretty(r: LogRecord, color = true): string {
  const t = new Date(r.time).toISOString().slice(11, 23)
  const level = r.level.toUpperCase().padEnd(5)
  const step = r.step ? `[${r.step}] ` : ''
  const fields = r.fields ? ` ${safeStringify(r.fields)}` : ''
  const trace = r.traceId ? ` (${r.traceId.slice(0, 8)})` : ''
  if (!color) return `${t} ${level} ${step}${r.msg}${fields}${trace}`
  return `${DIM}${t}${RESET} ${COLORS[r.level]}${level}${RESET} ${step}${r.msg}${DIM}${fields}${trace}${RESET}`
}

export function createStreamSink(format: 'pretty' | 'json', out: { write(s: string): unknown }, color = true): LogSink {
  if (format === 'json') return (r) => out.write(`${formatJson(r)}\n`)
  return (r) => out.write(`${formatPretty(r, color)}\n`)
}

function safeStringify(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, val) => (typeof val === 'bigint' ? val.toString() : val))
  } catch {
    return '"[unserialisable]"'
  }
}
