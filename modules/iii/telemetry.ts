import type { LogLevel, LogTarget } from '../../runtime/logger'
import type { ExecutionTracer, SpanKindName, SpanRecord, SpanStatusName } from '../../runtime/tracing'
import { ingest, type MetricPoint } from '../observability/metrics/otel-meter'
import type { MetricRegistry } from '../observability/metrics/registry'

/** Where the SDKs' OTel exports go: motia's trace store, log stream and metrics registry. */
export interface TelemetrySinks {
  tracer(): ExecutionTracer | undefined
  logs: LogTarget
  registry(): MetricRegistry | undefined
}

type AnyValue = {
  stringValue?: string
  intValue?: number | string
  doubleValue?: number
  boolValue?: boolean
  arrayValue?: { values?: AnyValue[] }
}
type KeyValue = { key: string; value?: AnyValue }
/** OTLP/JSON nanoseconds: a decimal string, a number, or protobuf.js's `{ low, high }`. */
type Nanos = string | number | { low: number; high: number }

const KINDS: SpanKindName[] = ['internal', 'internal', 'server', 'client', 'producer', 'consumer']
const STATUS: SpanStatusName[] = ['unset', 'ok', 'error']

function value(v: AnyValue | undefined): unknown {
  if (!v) return undefined
  if (v.stringValue !== undefined) return v.stringValue
  if (v.intValue !== undefined) return Number(v.intValue)
  if (v.doubleValue !== undefined) return v.doubleValue
  if (v.boolValue !== undefined) return v.boolValue
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(value)
  return undefined
}

function attributes(list: KeyValue[] | undefined): Record<string, any> {
  const out: Record<string, any> = {}
  for (const kv of list ?? []) {
    const v = value(kv.value)
    if (v !== undefined) out[kv.key] = v
  }
  return out
}

/** Epoch ms (fractional) from OTLP nanoseconds. */
function ms(t: Nanos | undefined): number {
  if (t === undefined) return Date.now()
  if (typeof t === 'object') return (t.high * 2 ** 32 + (t.low >>> 0)) / 1e6
  return Number(BigInt(t) / 1000n) / 1000
}

/** A trace or span id: hex as OTLP/JSON writes it (base64 accepted, as protobuf JSON has it). */
function hexId(id: string | undefined, bytes: number): string | undefined {
  if (!id) return undefined
  if (new RegExp(`^[0-9a-f]{${bytes * 2}}$`, 'i').test(id)) return id.toLowerCase()
  const b = Buffer.from(id, 'base64')
  return b.length === bytes ? b.toString('hex') : undefined
}

/**
 * One frame of an SDK's OTel exporter (`OTLP` / `LOGS` / `MTRC` then OTLP/JSON): spans join
 * motia's trace store (a worker's spans are children of the engine's `call <function>` span, so
 * they nest in the caller's trace), log records go to motia's log (and the trace of their span),
 * metrics (gauges and sums) to the metrics registry. A frame that is not OTLP/JSON is dropped.
 */
export function ingestTelemetry(
  frame: string | Buffer,
  sinks: TelemetrySinks,
  /** The connection's last cumulative sums: the registry's counters take what was added since. */
  totals: Map<string, number>,
): void {
  const text = typeof frame === 'string' ? frame : frame.toString('utf8')
  let body: any
  try {
    body = JSON.parse(text.slice(4))
  } catch {
    return
  }
  const prefix = text.slice(0, 4)
  if (prefix === 'OTLP') spans(body, sinks.tracer())
  else if (prefix === 'LOGS') logs(body, sinks.logs)
  else if (prefix === 'MTRC') metrics(body, sinks.registry(), totals)
}

function spans(body: any, tracer: ExecutionTracer | undefined): void {
  if (!tracer) return
  for (const rs of body?.resourceSpans ?? []) {
    const resource = attributes(rs.resource?.attributes)
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        const traceId = hexId(s.traceId, 16)
        const spanId = hexId(s.spanId, 8)
        if (!traceId || !spanId) continue
        const parent = hexId(s.parentSpanId, 8)
        const record: SpanRecord = {
          traceId,
          spanId,
          ...(parent ? { parentSpanId: parent } : {}),
          name: String(s.name ?? 'span'),
          kind: KINDS[Number(s.kind) || 0] ?? 'internal',
          startTime: ms(s.startTimeUnixNano),
          endTime: ms(s.endTimeUnixNano),
          status: STATUS[Number(s.status?.code) || 0] ?? 'unset',
          ...(s.status?.message ? { statusMessage: String(s.status.message) } : {}),
          attributes: {
            ...(resource['service.name'] ? { 'service.name': resource['service.name'] } : {}),
            ...attributes(s.attributes),
          },
          events: (s.events ?? []).map((e: any) => ({
            name: String(e.name),
            time: ms(e.timeUnixNano),
            ...(e.attributes?.length ? { attributes: attributes(e.attributes) } : {}),
          })),
        }
        tracer.record(record)
      }
    }
  }
}

/** OTel severity numbers: 1-4 trace, 5-8 debug, 9-12 info, 13-16 warn, 17+ error/fatal. */
function level(severity: number | undefined): LogLevel {
  const n = Number(severity) || 9
  return n < 9 ? 'debug' : n < 13 ? 'info' : n < 17 ? 'warn' : 'error'
}

function logs(body: any, target: LogTarget): void {
  for (const rl of body?.resourceLogs ?? []) {
    const resource = attributes(rl.resource?.attributes)
    for (const sl of rl.scopeLogs ?? []) {
      for (const r of sl.logRecords ?? []) {
        const lvl = level(r.severityNumber)
        if (!target.enabled(lvl)) continue
        const msg = value(r.body)
        const traceId = hexId(r.traceId, 16)
        const spanId = hexId(r.spanId, 8)
        target.emit({
          time: ms(r.timeUnixNano ?? r.observedTimeUnixNano),
          level: lvl,
          msg: typeof msg === 'string' ? msg : JSON.stringify(msg ?? ''),
          step: String(resource['service.name'] ?? 'iii-worker'),
          ...(traceId ? { traceId } : {}),
          ...(spanId ? { spanId } : {}),
          fields: attributes(r.attributes),
        })
      }
    }
  }
}

function metrics(body: any, registry: MetricRegistry | undefined, lastTotals: Map<string, number>): void {
  if (!registry) return
  for (const rm of body?.resourceMetrics ?? []) {
    for (const sm of rm.scopeMetrics ?? []) {
      for (const m of sm.metrics ?? []) {
        const base = { name: String(m.name), ...(m.unit ? { unit: String(m.unit) } : {}) }
        if (m.gauge) {
          for (const p of m.gauge.dataPoints ?? []) {
            ingest(registry, { ...base, type: 'gauge', attributes: labelsOf(p.attributes), values: [num(p)] })
          }
        } else if (m.sum) {
          const cumulative = m.sum.aggregationTemporality === 2 || m.sum.aggregationTemporality === undefined
          for (const p of m.sum.dataPoints ?? []) {
            const labels = labelsOf(p.attributes)
            let v = num(p)
            if (cumulative) {
              const key = `${base.name}\u0000${JSON.stringify(labels)}`
              const before = lastTotals.get(key) ?? 0
              lastTotals.set(key, v)
              // A monotonic total that went down was reset (the worker restarted).
              v = m.sum.isMonotonic && v < before ? v : v - before
            }
            const type: MetricPoint['type'] = m.sum.isMonotonic ? 'counter' : 'updowncounter'
            ingest(registry, { ...base, type, attributes: labels, values: [v] })
          }
        }
      }
    }
  }
}

const labelsOf = (list: KeyValue[] | undefined) =>
  Object.fromEntries(
    Object.entries(attributes(list)).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
  )
const num = (p: { asDouble?: number; asInt?: number | string }) => Number(p.asDouble ?? p.asInt ?? 0)
