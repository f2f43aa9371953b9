import { type Span, SpanStatusCode } from '@opentelemetry/api'

/**
 * The runtime's tracing interface. Modules that run executions (http, queue, cron, state and
 * stream triggers) and the engine's ctx calls start spans through it when a tracer is present;
 * the observability module provides one. Without it every call site is a single `undefined` check.
 */

export type SpanKindName = 'internal' | 'server' | 'client' | 'producer' | 'consumer'
export type SpanStatusName = 'ok' | 'error' | 'unset'
export type SpanAttributeValue = string | number | boolean | readonly (string | number | boolean)[]
export type SpanAttributes = Record<string, SpanAttributeValue>

export interface SpanEventRecord {
  name: string
  /** Epoch milliseconds (fractional). */
  time: number
  attributes?: Record<string, unknown>
}

/** A finished span as plain data: what the trace store keeps, workers post and OTLP exports. */
export interface SpanRecord {
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  kind: SpanKindName
  /** Epoch milliseconds (fractional). */
  startTime: number
  endTime: number
  status: SpanStatusName
  statusMessage?: string
  attributes: SpanAttributes
  events: SpanEventRecord[]
}

/** A span being recorded: an OpenTelemetry `Span` whose ids are at hand without allocating. */
export interface ActiveSpan extends Span {
  readonly traceId: string
  readonly spanId: string
  readonly status: SpanStatusName
  /** Status error with the error's message, and an `exception` event. */
  fail(error: unknown): void
}

export interface ExecutionTracer {
  /**
   * Starts a span in `traceId`, child of `parentSpanId` (which may live in another thread or
   * process). Undefined when the trace is not recorded (sampled out): callers then run
   * untraced, and the execution's ctx calls start no child spans either. `attributes` may be
   * a function, called only for a span that is recorded (a request under load mostly is not).
   */
  begin(
    traceId: string,
    parentSpanId: string | undefined,
    name: string,
    kind: SpanKindName,
    attributes: SpanAttributes | (() => SpanAttributes),
    startTime?: number,
  ): ActiveSpan | undefined
  /** A span that ended in another thread (user code in a worker). */
  record(span: SpanRecord): void
  /**
   * Whether a trace not seen before would be recorded now: a request that made its own trace
   * id asks this instead of `begin` looking the trace up (the store keeps the first traces of
   * each window, so under load most requests are not recorded).
   */
  takesNewTrace(): boolean
}

/** Epoch milliseconds with sub-millisecond precision (spans of a hello handler last ~50 µs). */
const TIME_ORIGIN = performance.timeOrigin
export const nowMs = (): number => TIME_ORIGIN + performance.now()

/** `setStatus(OK_STATUS)`: one shared object, not one a span. */
export const OK_STATUS = { code: SpanStatusCode.OK } as const

/** Ends `span` when `p` settles: ok, or failed with the rejection. Returns `p`'s outcome. */
export function endWith<T>(span: ActiveSpan, p: Promise<T>): Promise<T> {
  return p.then(
    (v) => {
      span.setStatus(OK_STATUS)
      span.end()
      return v
    },
    (err) => {
      span.fail(err)
      span.end()
      throw err
    },
  )
}
