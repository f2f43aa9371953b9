import type { Exception, Link, SpanContext, SpanStatus, TimeInput } from '@opentelemetry/api'
import { TraceFlags } from '@opentelemetry/api'
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
import { exceptionAttributes, failSpan, spanEvent, statusName, toEpochMs } from './span'
import type { SpanCollector } from './tracer'

/** What a `TailSpan` needs to know of the sampling config. */
export interface TailPolicy {
  readonly keepErrors: boolean
  /** ms; undefined: slowness keeps nothing. */
  readonly keepSlowerThan: number | undefined
}

/**
 * What a span that ends well seldom has, made on first use: a not-sampled request allocates
 * its span, so every field less is a smaller allocation on the hot path.
 */
interface Held {
  statusMessage?: string
  extra?: SpanAttributes
  events?: SpanEventRecord[]
}

/**
 * The span of an execution whose trace is not sampled. It records next to nothing while the
 * execution runs (its attributes stay unevaluated, events and status are held only in case),
 * hands on `NOT_SAMPLED_SPAN_ID` so nothing the execution causes is recorded, and at its end
 * becomes a real span after all when the execution failed or was slow (tail sampling): the
 * span alone, marked `motia.sampling.kept: error | slow`, in its trace.
 */
export class TailSpan implements ActiveSpan {
  status: SpanStatusName = 'unset'
  /** Sampled out: kept only when its end keeps it after all (an error, a slow run). */
  kept = false
  /** The first attribute set (an HTTP span's status code) inline, the others in `held.extra`. */
  private key: string | undefined
  private value: SpanAttributeValue | undefined
  private held: Held | undefined
  private done = false
  /** A clock read costs ~20–100 ns: none when no policy could keep this span, or the caller read one. */
  private readonly startTime: number

  constructor(
    private readonly collector: SpanCollector,
    private readonly policy: TailPolicy,
    readonly traceId: string,
    private readonly parentSpanId: string | undefined,
    private name: string,
    private readonly kind: SpanKindName,
    private readonly attributes: SpanAttributes | (() => SpanAttributes),
    startTime?: number,
  ) {
    this.startTime = startTime ?? (policy.keepErrors || policy.keepSlowerThan !== undefined ? nowMs() : 0)
  }

  get spanId(): string {
    return NOT_SAMPLED_SPAN_ID
  }

  spanContext(): SpanContext {
    return { traceId: this.traceId, spanId: this.spanId, traceFlags: TraceFlags.NONE }
  }

  setAttribute(key: string, value: SpanAttributeValue | undefined): this {
    if (this.done || value === undefined) return this
    if (this.key === undefined || this.key === key) {
      this.key = key
      this.value = value
    } else {
      this.held ??= {}
      this.held.extra ??= {}
      this.held.extra[key] = value
    }
    return this
  }

  setAttributes(attributes: Record<string, SpanAttributeValue | undefined>): this {
    for (const k in attributes) this.setAttribute(k, attributes[k])
    return this
  }

  addEvent(name: string, attributesOrTime?: Record<string, unknown> | TimeInput, time?: TimeInput): this {
    if (this.done) return this
    const event = spanEvent(name, attributesOrTime, time)
    this.held ??= {}
    if (this.held.events) this.held.events.push(event)
    else this.held.events = [event]
    return this
  }

  addLink(_link: Link): this {
    return this
  }

  addLinks(_links: Link[]): this {
    return this
  }

  setStatus(status: SpanStatus): this {
    if (this.done) return this
    this.status = statusName(status.code)
    if (status.message) {
      this.held ??= {}
      this.held.statusMessage = status.message
    } else if (this.held) this.held.statusMessage = undefined
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
    this.addEvent('exception', exceptionAttributes(exception), time)
  }

  fail(error: unknown): void {
    failSpan(this, error)
  }

  end(endTime?: TimeInput): void {
    if (this.done) return
    this.done = true
    const p = this.policy
    // The common end (sampled out, ok) reads no clock unless slowness could keep it.
    if (this.status === 'error' && p.keepErrors) this.keep('error', endTime)
    else if (p.keepSlowerThan !== undefined) {
      const end = endTime === undefined ? nowMs() : toEpochMs(endTime)
      if (end - this.startTime >= p.keepSlowerThan) this.keep('slow', end)
    }
  }

  private keep(kept: 'error' | 'slow', end: TimeInput | undefined): void {
    this.kept = this.collector.recorded(this.toRecord(kept, end === undefined ? nowMs() : toEpochMs(end)))
  }

  private toRecord(kept: 'error' | 'slow', endTime: number): SpanRecord {
    const base = typeof this.attributes === 'function' ? this.attributes() : this.attributes
    const attributes: SpanAttributes = { ...base }
    if (this.key !== undefined) attributes[this.key] = this.value!
    const held = this.held
    Object.assign(attributes, held?.extra)
    attributes['motia.sampling.kept'] = kept
    const r: SpanRecord = {
      traceId: this.traceId,
      spanId: newSpanId(),
      name: this.name,
      kind: this.kind,
      startTime: this.startTime,
      endTime,
      status: this.status,
      attributes,
      events: held?.events ?? [],
    }
    if (this.parentSpanId) r.parentSpanId = this.parentSpanId
    if (held?.statusMessage) r.statusMessage = held.statusMessage
    return r
  }
}
