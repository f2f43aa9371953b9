import { type Span, SpanStatusCode } from '@opentelemetry/api'
import { NOT_SAMPLED_SPAN_ID } from './trace-id'

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
  /**
   * Ended, and taken by the trace store the console reads: its trace is there to open. False
   * while it runs, for a span sampling or the store's admission dropped, and in a worker.
   */
  readonly kept: boolean
  /** Status error with the error's message, and an `exception` event. */
  fail(error: unknown): void
}

/**
 * The trace id an exemplar may carry: the span's once it ended kept, else none. An exemplar
 * is recorded after the execution's span ended, so a trace dropped at its end (sampled out, or
 * refused by the store's admission window) is never named by one.
 */
export function keptTraceOf(span: ActiveSpan | undefined): string | undefined {
  return span?.kept ? span.traceId : undefined
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
  /**
   * Starts the span of an execution (an HTTP request, a message, a cron run, a state or stream
   * trigger): the one place where sampling decides whether its trace is recorded. A trace that
   * is not gets a span that records nothing (unless the execution fails or is slow, when
   * sampling keeps those) and whose `spanId` is `NOT_SAMPLED_SPAN_ID`: what it causes (ctx
   * calls, messages, Python and worker runs) is not recorded either. Undefined when the trace
   * store has no room for the trace (and no OTLP endpoint wants it): run untraced.
   * `startTime` (epoch ms): a clock the caller read anyway (an HTTP route's, for its metrics).
   */
  execution(
    traceId: string,
    parentSpanId: string | undefined,
    parent: ExecutionParent,
    name: string,
    kind: SpanKindName,
    attributes: SpanAttributes | (() => SpanAttributes),
    step: string,
    trigger: SampledTrigger,
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

/**
 * How an execution joins its trace: `fresh` (a trace id made for it), `root` (a trace id given
 * without a parent, a cron run), `sampled` / `not-sampled` (a parent span that was, or was not,
 * recorded: a caller's `traceparent` flags, the span that enqueued a message).
 */
export type ExecutionParent = 'fresh' | 'root' | 'sampled' | 'not-sampled'

/**
 * The trigger an execution runs for, as sampling rules match it. Call sites pass the step's
 * trigger definition itself: one object per trigger, so the rule that applies is found once.
 */
export interface SampledTrigger {
  readonly type: string
  readonly path?: string
  readonly method?: string
  readonly topic?: string
}

/** The parent of a background run, from the span id its cause handed on. */
export function parentOf(parentSpanId: string | undefined): ExecutionParent {
  return parentSpanId === undefined ? 'root' : parentSpanId === NOT_SAMPLED_SPAN_ID ? 'not-sampled' : 'sampled'
}

/** Epoch milliseconds with sub-millisecond precision (spans of a hello handler last ~50 µs). */
const TIME_ORIGIN = performance.timeOrigin
export const nowMs = (): number => TIME_ORIGIN + performance.now()

/** Epoch milliseconds of a `performance.now()` reading. */
export const epochMs = (performanceNow: number): number => TIME_ORIGIN + performanceNow

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
