import type { LogRecord, StructuredLogger } from '../../runtime/logger'
import type { SpanKindName, SpanRecord } from '../../runtime/tracing'
import { withLogEvents } from './trace-deltas'

export interface OtlpOptions {
  /** The full traces URL, e.g. `http://localhost:4318/v1/traces`. */
  endpoint: string
  headers: Readonly<Record<string, string>>
  serviceName: string
  serviceVersion: string
  /**
   * `service.instance.id`: which process of a fleet sent the span, so one backend (a collector,
   * Jaeger, Tempo) can tell the instances of one service apart.
   */
  instanceId?: string
  log: StructuredLogger
  /** ms between exports (a full batch goes at once). */
  intervalMs?: number
}

/** As OpenTelemetry's BatchSpanProcessor: spans beyond this wait in no queue, they are dropped and counted. */
const MAX_QUEUE = 2048
const MAX_BATCH = 512
const MAX_BACKOFF_MS = 30_000
/** Answers worth another try (the OTLP spec's retryable codes). */
const RETRYABLE = new Set([429, 502, 503, 504])

const KIND: Record<SpanKindName, number> = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 }
const STATUS = { unset: 0, ok: 1, error: 2 } as const

/**
 * Exports spans over OTLP/HTTP with the JSON encoding (any OpenTelemetry collector, Jaeger,
 * Tempo, Honeycomb...). Batches every second or at 512 spans; a failed export is retried with
 * exponential backoff when the receiver says so (429, 502-504, network errors), dropped with
 * a warning otherwise. The queue is bounded: the app never waits on the collector.
 */
export class OtlpExporter {
  private queue: SpanRecord[] = []
  private dropped = 0
  private timer: ReturnType<typeof setTimeout> | undefined
  private sending: Promise<void> | undefined
  private backoffMs = 0
  private readonly resource: { attributes: OtlpKeyValue[] }
  private readonly scope: { name: string; version: string }

  constructor(private readonly opts: OtlpOptions) {
    this.resource = {
      attributes: attributes({
        'service.name': opts.serviceName,
        ...(opts.instanceId ? { 'service.instance.id': opts.instanceId } : {}),
        'telemetry.sdk.name': 'motia',
      }),
    }
    this.scope = { name: 'motia', version: opts.serviceVersion }
  }

  /** Log records by span, joined to their span as `log` events when it is sent. */
  private logs = new Map<string, LogRecord[]>()

  addLog(record: LogRecord): void {
    if (!record.spanId) return
    const list = this.logs.get(record.spanId)
    if (list) list.push(record)
    else {
      this.logs.set(record.spanId, [record])
      if (this.logs.size > MAX_QUEUE) this.logs.delete(this.logs.keys().next().value!)
    }
  }

  add(span: SpanRecord): void {
    if (this.queue.length >= MAX_QUEUE) {
      this.dropped++
      return
    }
    this.queue.push(span)
    if (this.queue.length >= MAX_BATCH && !this.sending && this.backoffMs === 0) this.send()
    else this.schedule(this.backoffMs || (this.opts.intervalMs ?? 1000))
  }

  /** Sends everything queued (once; no retries): at shutdown. */
  async shutdown(): Promise<void> {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    await this.sending
    while (this.queue.length > 0) {
      const ok = await this.post(this.withLogs(this.queue.splice(0, MAX_BATCH)))
      if (!ok) break
    }
  }

  private schedule(ms: number): void {
    if (this.timer) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.send()
    }, ms)
    this.timer.unref?.()
  }

  private send(): void {
    if (this.sending || this.queue.length === 0) return
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    const batch = this.withLogs(this.queue.splice(0, MAX_BATCH))
    this.sending = this.post(batch).then((ok) => {
      this.sending = undefined
      if (ok !== false) this.backoffMs = 0
      else {
        // Retryable: back at the front of the queue, within its bound.
        const room = MAX_QUEUE - this.queue.length
        this.dropped += Math.max(0, batch.length - room)
        this.queue.unshift(...batch.slice(0, room))
        this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs ? this.backoffMs * 2 : 1000)
      }
      if (this.dropped > 0) {
        this.opts.log.warn(`OTLP export: ${this.dropped} span(s) dropped (export queue full)`, {
          endpoint: this.opts.endpoint,
        })
        this.dropped = 0
      }
      if (this.queue.length >= MAX_BATCH && this.backoffMs === 0) this.send()
      else if (this.queue.length > 0) this.schedule(this.backoffMs || (this.opts.intervalMs ?? 1000))
    })
  }

  private withLogs(batch: SpanRecord[]): SpanRecord[] {
    if (this.logs.size === 0) return batch
    const logs: LogRecord[] = []
    for (const s of batch) {
      const mine = this.logs.get(s.spanId)
      if (!mine) continue
      this.logs.delete(s.spanId)
      for (const l of mine) logs.push(l)
    }
    return withLogEvents(batch, logs)
  }

  /** true: sent; false: retry later; null: refused for good (dropped). */
  private async post(batch: SpanRecord[]): Promise<boolean | null> {
    try {
      const res = await fetch(this.opts.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...this.opts.headers },
        body: JSON.stringify(this.request(batch)),
        signal: AbortSignal.timeout(10_000),
      })
      await res.arrayBuffer().catch(() => undefined)
      if (res.ok) return true
      if (RETRYABLE.has(res.status)) {
        this.opts.log.warn(`OTLP export: ${this.opts.endpoint} answered ${res.status}; retrying`)
        return false
      }
      this.opts.log.error(`OTLP export: ${this.opts.endpoint} refused ${batch.length} span(s) with ${res.status}`)
      return null
    } catch (err) {
      this.opts.log.warn(`OTLP export to ${this.opts.endpoint} failed: ${(err as Error).message}; retrying`)
      return false
    }
  }

  /** An `ExportTraceServiceRequest` in OTLP's JSON encoding (ids as hex, times as nanosecond strings). */
  request(batch: readonly SpanRecord[]): unknown {
    return {
      resourceSpans: [
        {
          resource: this.resource,
          scopeSpans: [{ scope: this.scope, spans: batch.map(toOtlpSpan) }],
        },
      ],
    }
  }
}

type OtlpAnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { arrayValue: { values: OtlpAnyValue[] } }
  | { kvlistValue: { values: OtlpKeyValue[] } }
interface OtlpKeyValue {
  key: string
  value: OtlpAnyValue
}

const nanos = (ms: number): string => (BigInt(Math.round(ms * 1000)) * 1000n).toString()

function anyValue(v: unknown, depth = 0): OtlpAnyValue {
  if (typeof v === 'string') return { stringValue: v }
  if (typeof v === 'boolean') return { boolValue: v }
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v }
  if (typeof v === 'bigint') return { intValue: v.toString() }
  if (v === null || v === undefined) return { stringValue: '' }
  if (depth > 4) return { stringValue: String(v) }
  if (Array.isArray(v)) return { arrayValue: { values: v.map((x) => anyValue(x, depth + 1)) } }
  if (typeof v === 'object') return { kvlistValue: { values: attributes(v as Record<string, unknown>, depth + 1) } }
  return { stringValue: String(v) }
}

function attributes(attrs: Record<string, unknown>, depth = 0): OtlpKeyValue[] {
  const out: OtlpKeyValue[] = []
  for (const key in attrs) out.push({ key, value: anyValue(attrs[key], depth) })
  return out
}

const HEX_TRACE_ID = /^[0-9a-f]{32}$/

/**
 * OTLP wants 16-byte trace ids; a request may bring its own (`x-trace-id: order-42`), which
 * the console shows as is. Such an id is exported as a hash of it, the same for every span.
 */
export function otlpTraceId(id: string): string {
  return HEX_TRACE_ID.test(id) ? id : new Bun.CryptoHasher('sha256').update(id).digest('hex').slice(0, 32)
}

function toOtlpSpan(s: SpanRecord) {
  return {
    traceId: otlpTraceId(s.traceId),
    spanId: s.spanId,
    ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
    name: s.name,
    kind: KIND[s.kind],
    startTimeUnixNano: nanos(s.startTime),
    endTimeUnixNano: nanos(s.endTime),
    attributes: attributes(s.attributes),
    events: s.events.map((e) => ({
      timeUnixNano: nanos(e.time),
      name: e.name,
      attributes: e.attributes ? attributes(e.attributes) : [],
    })),
    status: { code: STATUS[s.status], ...(s.statusMessage ? { message: s.statusMessage } : {}) },
  }
}
