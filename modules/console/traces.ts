import type { LogRecord } from '../../runtime/logger'

/** What the observability module shares as `shared.get('observability')` (docs/observability.md). */
export interface ObservabilityApi {
  listTraces(filter: { step?: string; status?: string; limit?: number }): unknown[] | Promise<unknown[]>
  getTrace(traceId: string): TraceDetail | null | undefined | Promise<TraceDetail | null | undefined>
  onSpan(listener: (span: unknown) => void): () => void
  /** Why a trace was not kept (sampled out), when sampling knows. */
  notKept?(traceId: string): string | undefined
  /** Whether the trace of a span that ended at `time` may have left the store (pruned, or lost to a failed write). */
  traceGone?(time: number): boolean
}

interface TraceDetail {
  spans: unknown[]
  logs?: unknown[]
}

export type SpanStatus = 'ok' | 'error' | 'unset'

/** A span as the console draws it: times in epoch milliseconds, status as a word. */
export interface ConsoleSpan {
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  start: number
  end?: number
  status: SpanStatus
  kind?: string
  step?: string
  /** The topic an enqueue or a queue execution is about. */
  topic?: string
  attributes: Record<string, unknown>
  events: { name: string; time: number; attributes?: Record<string, unknown> }[]
}

export interface ConsoleTraceSummary {
  traceId: string
  name: string
  step?: string
  start: number
  durationMs?: number
  status: SpanStatus
  spans?: number
}

type Obj = Record<string, unknown>

/** A span's `kind` badge: a trigger kind, never OTel's SpanKind (server, internal, ...). */
const TRIGGER_KINDS = new Set(['http', 'queue', 'cron', 'state', 'stream', 'enqueue'])
const TOPIC_ATTRIBUTES = [
  'motia.topic',
  'motia.queue.topic',
  'messaging.destination.name',
  'messaging.destination',
  'topic',
]

const pick = (o: Obj, ...keys: string[]): unknown => {
  for (const k of keys) if (o[k] !== undefined && o[k] !== null) return o[k]
  return undefined
}

/** Epoch ms from the usual encodings: ms, µs or ns numbers, OTel HrTime `[s, ns]`, bigint ns, ISO text. */
export function toMillis(v: unknown): number | undefined {
  if (typeof v === 'bigint') return Number(v / 1000n) / 1000
  if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'number') {
    return v[0] * 1000 + v[1] / 1e6
  }
  if (typeof v === 'string') {
    if (/^\d+$/.test(v)) return toMillis(Number(v))
    const t = Date.parse(v)
    return Number.isNaN(t) ? undefined : t
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) return undefined
  if (v > 1e17) return v / 1e6
  if (v > 1e14) return v / 1e3
  return v
}

export function toStatus(v: unknown): SpanStatus {
  const raw = typeof v === 'object' && v !== null ? (v as Obj).code : v
  if (raw === 2 || raw === 'error' || raw === 'ERROR' || raw === 'STATUS_CODE_ERROR') return 'error'
  if (raw === 1 || raw === 'ok' || raw === 'OK' || raw === 'STATUS_CODE_OK') return 'ok'
  return 'unset'
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined)
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {})

/** One span of any reasonable shape (the observability module's, OTel ReadableSpan-like) in the console's. */
export function normalizeSpan(raw: unknown): ConsoleSpan {
  const s = obj(raw)
  const ctx = obj(typeof s.spanContext === 'function' ? (s.spanContext as () => unknown)() : s.spanContext)
  const attributes = obj(pick(s, 'attributes', 'attrs'))
  const start = toMillis(pick(s, 'start', 'startTime', 'startMs', 'startTimeMs', 'startTimeUnixNano', 'startedAt')) ?? 0
  const end =
    toMillis(pick(s, 'end', 'endTime', 'endMs', 'endTimeMs', 'endTimeUnixNano', 'endedAt')) ??
    (typeof s.durationMs === 'number' ? start + s.durationMs : undefined)
  const parent =
    str(pick(s, 'parentSpanId', 'parentId', 'parent_span_id')) ?? str(obj(s.parentSpanContext).spanId) ?? undefined
  const step =
    str(pick(s, 'step', 'stepName')) ??
    str(pick(attributes, 'motia.step', 'motia.step.name', 'motia.step_name', 'step'))
  const kind = [
    pick(attributes, 'motia.trigger.type', 'motia.operation', 'motia.trigger'),
    pick(s, 'triggerType', 'type', 'kind'),
  ].find((k): k is string => typeof k === 'string' && TRIGGER_KINDS.has(k))
  const topic = str(pick(s, 'topic')) ?? str(pick(attributes, ...TOPIC_ATTRIBUTES))
  const events = (Array.isArray(s.events) ? s.events : []).map((e) => {
    const ev = obj(e)
    const attrs = obj(pick(ev, 'attributes', 'attrs'))
    return {
      name: str(ev.name) ?? 'event',
      time: toMillis(pick(ev, 'time', 'timestamp', 'timeUnixNano')) ?? start,
      ...(Object.keys(attrs).length ? { attributes: attrs } : {}),
    }
  })
  return {
    traceId: str(pick(s, 'traceId', 'trace_id')) ?? str(ctx.traceId) ?? '',
    spanId: str(pick(s, 'spanId', 'id', 'span_id')) ?? str(ctx.spanId) ?? '',
    ...(parent ? { parentSpanId: parent } : {}),
    name: str(s.name) ?? '(span)',
    start,
    ...(end !== undefined ? { end } : {}),
    status: toStatus(pick(s, 'status', 'statusCode')),
    ...(kind ? { kind } : {}),
    ...(step ? { step } : {}),
    ...(topic ? { topic } : {}),
    attributes,
    events,
  }
}

export function normalizeSummary(raw: unknown): ConsoleTraceSummary {
  const t = obj(raw)
  const start = toMillis(pick(t, 'start', 'startTime', 'startMs', 'startedAt', 'time')) ?? 0
  const end = toMillis(pick(t, 'end', 'endTime', 'endMs', 'endedAt'))
  const duration = typeof t.durationMs === 'number' ? t.durationMs : end !== undefined ? end - start : undefined
  const spans = pick(t, 'spans', 'spanCount')
  const step = str(pick(t, 'step', 'rootStep'))
  return {
    traceId: str(pick(t, 'traceId', 'id')) ?? '',
    name: str(pick(t, 'name', 'rootName', 'root')) ?? '(trace)',
    ...(step ? { step } : {}),
    start,
    ...(duration !== undefined ? { durationMs: duration } : {}),
    status: toStatus(pick(t, 'status', 'statusCode')),
    ...(typeof spans === 'number' ? { spans } : Array.isArray(spans) ? { spans: spans.length } : {}),
  }
}

export function normalizeLog(raw: unknown): LogRecord {
  const r = obj(raw)
  const level = str(r.level)
  return {
    time: toMillis(pick(r, 'time', 'timestamp')) ?? 0,
    level: level === 'debug' || level === 'warn' || level === 'error' ? level : 'info',
    msg: str(pick(r, 'msg', 'message')) ?? '',
    ...(str(r.step) ? { step: str(r.step) } : {}),
    ...(str(r.traceId) ? { traceId: str(r.traceId) } : {}),
    ...(Object.keys(obj(r.fields)).length ? { fields: obj(r.fields) } : {}),
  }
}
