import type { Exception, Link, SpanContext, SpanStatus, TimeInput } from '@opentelemetry/api'
import { SpanStatusCode, TraceFlags } from '@opentelemetry/api'
import type {
  ActiveSpan,
  SpanAttributes,
  SpanAttributeValue,
  SpanEventRecord,
  SpanKindName,
  SpanRecord,
  SpanStatusName,
} from '../../runtime/tracing'
import { nowMs } from '../../runtime/tracing'

/** Where a span goes when it ends: the trace store on the engine thread, a message in a worker. */
export interface SpanSink {
  /** Whether the span is kept where the console reads traces (a worker's sink cannot know: false). */
  ended(span: MotiaSpan): boolean
}

/** Epoch ms from OTel's TimeInput: ms number, HrTime `[s, ns]` or Date. */
export function toEpochMs(t: TimeInput | undefined): number {
  if (t === undefined) return nowMs()
  if (typeof t === 'number') return t < 1e12 ? performance.timeOrigin + t : t
  if (t instanceof Date) return t.getTime()
  return t[0] * 1000 + t[1] / 1e6
}

/** The event `addEvent` records, from OTel's overloads: `(name, attributes?, time?)` or `(name, time)`. */
export function spanEvent(
  name: string,
  attributesOrTime: Record<string, unknown> | TimeInput | undefined,
  time: TimeInput | undefined,
): SpanEventRecord {
  const isTime =
    typeof attributesOrTime === 'number' || Array.isArray(attributesOrTime) || attributesOrTime instanceof Date
  const event: SpanEventRecord = { name, time: toEpochMs(isTime ? (attributesOrTime as TimeInput) : time) }
  if (!isTime && attributesOrTime) event.attributes = attributesOrTime as Record<string, unknown>
  return event
}

/** A record's status for OTel's status code. */
export function statusName(code: SpanStatusCode): SpanStatusName {
  return code === SpanStatusCode.ERROR ? 'error' : code === SpanStatusCode.OK ? 'ok' : 'unset'
}

/** The attributes of the `exception` event `recordException` adds (OTel's semantic conventions). */
export function exceptionAttributes(exception: Exception): Record<string, unknown> {
  const e = typeof exception === 'string' ? { message: exception } : exception
  const attributes: Record<string, unknown> = {}
  if (e.name) attributes['exception.type'] = e.name
  if (e.message) attributes['exception.message'] = e.message
  if (e.stack) attributes['exception.stacktrace'] = e.stack
  return attributes
}

/** `ActiveSpan.fail`: an `exception` event, then status error with the error's message. */
export function failSpan(span: Pick<ActiveSpan, 'recordException' | 'setStatus'>, error: unknown): void {
  const message = (error as Error)?.message ?? String(error)
  span.recordException(error instanceof Error ? error : { message })
  span.setStatus({ code: SpanStatusCode.ERROR, message })
}

/**
 * One span: an OpenTelemetry `Span` (so user code can add attributes, events and children
 * through `@opentelemetry/api`) whose fields are the `SpanRecord` itself, so ending one costs
 * no conversion on the engine thread.
 */
/** Shared by every span without events until its first one: one allocation less a request. */
const NO_EVENTS: SpanEventRecord[] = []

export class MotiaSpan implements ActiveSpan, SpanRecord {
  endTime = 0
  status: SpanStatusName = 'unset'
  statusMessage?: string
  events: SpanEventRecord[] = NO_EVENTS
  parentSpanId?: string
  /** A #private field: not part of the record, so JSON of a span is just its data. */
  readonly #sink: SpanSink
  #kept = false

  constructor(
    sink: SpanSink,
    readonly traceId: string,
    readonly spanId: string,
    parentSpanId: string | undefined,
    public name: string,
    readonly kind: SpanKindName,
    readonly attributes: SpanAttributes,
    readonly startTime: number = nowMs(),
  ) {
    this.#sink = sink
    if (parentSpanId) this.parentSpanId = parentSpanId
  }

  spanContext(): SpanContext {
    return { traceId: this.traceId, spanId: this.spanId, traceFlags: TraceFlags.SAMPLED }
  }

  setAttribute(key: string, value: SpanAttributeValue | undefined): this {
    if (this.endTime === 0 && value !== undefined) this.attributes[key] = value
    return this
  }

  setAttributes(attributes: Record<string, SpanAttributeValue | undefined>): this {
    for (const k in attributes) this.setAttribute(k, attributes[k])
    return this
  }

  addEvent(name: string, attributesOrTime?: Record<string, unknown> | TimeInput, time?: TimeInput): this {
    if (this.endTime !== 0) return this
    const event = spanEvent(name, attributesOrTime, time)
    if (this.events === NO_EVENTS) this.events = [event]
    else this.events.push(event)
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
    this.status = statusName(status.code)
    // Assigned, never deleted: deleting a field turns every span into a slow dictionary object.
    this.statusMessage = status.message || undefined
    return this
  }

  updateName(name: string): this {
    this.name = name
    return this
  }

  end(endTime?: TimeInput): void {
    if (this.endTime !== 0) return
    this.endTime = endTime === undefined ? nowMs() : toEpochMs(endTime)
    this.#kept = this.#sink.ended(this)
  }

  get kept(): boolean {
    return this.#kept
  }

  isRecording(): boolean {
    return this.endTime === 0
  }

  recordException(exception: Exception, time?: TimeInput): void {
    this.addEvent('exception', exceptionAttributes(exception), time)
  }

  fail(error: unknown): void {
    failSpan(this, error)
  }

  /** Plain data, for a message to the engine thread or a test. */
  toRecord(): SpanRecord {
    const r: SpanRecord = {
      traceId: this.traceId,
      spanId: this.spanId,
      name: this.name,
      kind: this.kind,
      startTime: this.startTime,
      endTime: this.endTime,
      status: this.status,
      attributes: this.attributes,
      events: this.events,
    }
    if (this.parentSpanId) r.parentSpanId = this.parentSpanId
    if (this.statusMessage) r.statusMessage = this.statusMessage
    return r
  }
}
