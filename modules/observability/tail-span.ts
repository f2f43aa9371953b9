import type { Exception, Link, SpanContext, SpanStatus, TimeInput } from '@opentelemetry/api'
import { SpanStatusCode, TraceFlags } from '@opentelemetry/api'
import { NOT_SAMPLED_SPAN_ID, newSpanId } from '../../runtime/trace-id'
import {
  type ActiveSpan,
  nowMs,
  type SpanAttributes,
  type SpanAttributeValue,
  type SpanEventRecord,
  type SpanKindName,
  type SpanRecord,
  type SpanStatusName,
} from '../../runtime/tracing'
import { toEpochMs } from './span'
import type { SpanCollector } from './tracer'

/** What a `TailSpan` needs to know of the sampling config. */
export interface TailPolicy {
  readonly keepErrors: boolean
  /** ms; undefined: slowness keeps nothing. */
  readonly keepSlowerThan: number | undefined
}

/**
 * The span of an execution whose trace is not sampled. It records next to nothing while the
 * execution runs (its attributes stay unevaluated, events and status are held only in case),
 * hands on `NOT_SAMPLED_SPAN_ID` so nothing the execution causes is recorded, and at its end
 * becomes a real span after all when the execution failed or was slow (tail sampling): the
 * span alone, marked `motia.sampling.kept: error | slow`, in its trace.
 */
export class TailSpan implements ActiveSpan {
  readonly spanId = NOT_SAMPLED_SPAN_ID
  status: SpanStatusName = 'unset'
  private statusMessage: string | undefined
  private extra: SpanAttributes | undefined
  private events: SpanEventRecord[] | undefined
  private endTime = 0
  private readonly startTime = nowMs()

  constructor(
    private readonly collector: SpanCollector,
    private readonly policy: TailPolicy,
    readonly traceId: string,
    private readonly parentSpanId: string | undefined,
    private name: string,
    private readonly kind: SpanKindName,
    private readonly attributes: SpanAttributes | (() => SpanAttributes),
  ) {}

  spanContext(): SpanContext {
    return { traceId: this.traceId, spanId: this.spanId, traceFlags: TraceFlags.NONE }
  }

  setAttribute(key: string, value: SpanAttributeValue | undefined): this {
    if (this.endTime !== 0 || value === undefined) return this
    if (this.extra) this.extra[key] = value
    else this.extra = { [key]: value }
    return this
  }

  setAttributes(attributes: Record<string, SpanAttributeValue | undefined>): this {
    for (const k in attributes) this.setAttribute(k, attributes[k])
    return this
  }

  addEvent(name: string, attributesOrTime?: Record<string, unknown> | TimeInput, time?: TimeInput): this {
    if (this.endTime !== 0) return this
    const isTime =
      typeof attributesOrTime === 'number' || Array.isArray(attributesOrTime) || attributesOrTime instanceof Date
    const event: SpanEventRecord = { name, time: toEpochMs(isTime ? (attributesOrTime as TimeInput) : time) }
    if (!isTime && attributesOrTime) event.attributes = attributesOrTime as Record<string, unknown>
    if (this.events) this.events.push(event)
    else this.events = [event]
    return this
  }

  addLink(_link: Link): this {
    return this
  }

  addLinks(_links: Link[]): this {
    return this
  }

  setStatus(status: SpanStatus): this {
    if (this.endTime !== 0) return this
    this.status = status.code === SpanStatusCode.ERROR ? 'error' : status.code === SpanStatusCode.OK ? 'ok' : 'unset'
    this.statusMessage = status.message || undefined
    return this
  }

  updateName(name: string): this {
    this.name = name
    return this
  }

  isRecording(): boolean {
    return false
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const e = typeof exception === 'string' ? { message: exception } : exception
    const attributes: Record<string, unknown> = {}
    if (e.name) attributes['exception.type'] = e.name
    if (e.message) attributes['exception.message'] = e.message
    if (e.stack) attributes['exception.stacktrace'] = e.stack
    this.addEvent('exception', attributes, time)
  }

  fail(error: unknown): void {
    const message = (error as Error)?.message ?? String(error)
    this.recordException(error instanceof Error ? error : { message })
    this.setStatus({ code: SpanStatusCode.ERROR, message })
  }

  end(endTime?: TimeInput): void {
    if (this.endTime !== 0) return
    this.endTime = endTime === undefined ? nowMs() : toEpochMs(endTime)
    const p = this.policy
    const kept =
      this.status === 'error' && p.keepErrors
        ? 'error'
        : p.keepSlowerThan !== undefined && this.endTime - this.startTime >= p.keepSlowerThan
          ? 'slow'
          : undefined
    if (kept) this.collector.recorded(this.toRecord(kept))
  }

  private toRecord(kept: 'error' | 'slow'): SpanRecord {
    const base = typeof this.attributes === 'function' ? this.attributes() : this.attributes
    const r: SpanRecord = {
      traceId: this.traceId,
      spanId: newSpanId(),
      name: this.name,
      kind: this.kind,
      startTime: this.startTime,
      endTime: this.endTime,
      status: this.status,
      attributes: { ...base, ...this.extra, 'motia.sampling.kept': kept },
      events: this.events ?? [],
    }
    if (this.parentSpanId) r.parentSpanId = this.parentSpanId
    if (this.statusMessage) r.statusMessage = this.statusMessage
    return r
  }
}
