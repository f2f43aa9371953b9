import { AsyncLocalStorage } from 'node:async_hooks'
import {
  type Context,
  type ContextManager,
  context,
  INVALID_SPAN_CONTEXT,
  ROOT_CONTEXT,
  type Span,
  type SpanOptions,
  TraceFlags,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api'
import { currentExecution } from '../../runtime/execution'
import { NOT_SAMPLED_SPAN_ID, newSpanId, newTraceId } from '../../runtime/trace-id'
import type { ExecutionTracer, SpanAttributes, SpanAttributeValue, SpanKindName } from '../../runtime/tracing'
import { toEpochMs } from './span'

/** OTel's SpanKind enum, by value. */
const KINDS: readonly SpanKindName[] = ['internal', 'server', 'client', 'producer', 'consumer']

/** Contexts user code makes active with `context.with` / `startActiveSpan`. */
const userContext = new AsyncLocalStorage<Context>()

/** The tracer used for spans started outside any execution (module top level, a timer). */
let fallback: ExecutionTracer | undefined

/**
 * `context.active()` for code that uses `@opentelemetry/api`: inside a handler it is the
 * execution's span, so a span the handler starts is a child of its HTTP request, message or
 * cron run; `context.with` nests as usual.
 */
class ExecutionContextManager implements ContextManager {
  active(): Context {
    const c = userContext.getStore()
    if (c) return c
    const ex = currentExecution()
    const spanId = ex?.spanId
    if (!ex || !spanId) return ROOT_CONTEXT
    // A not-sampled execution: a valid context with flags 00 (a traceparent made from it says
    // so), under which spans started are not recorded.
    if (spanId === NOT_SAMPLED_SPAN_ID)
      return trace.setSpanContext(ROOT_CONTEXT, {
        traceId: ex.traceId,
        spanId: newSpanId(),
        traceFlags: TraceFlags.NONE,
      })
    return trace.setSpanContext(ROOT_CONTEXT, { traceId: ex.traceId, spanId, traceFlags: TraceFlags.SAMPLED })
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return userContext.run(ctx, () => fn.apply(thisArg, args))
  }

  bind<T>(ctx: Context, target: T): T {
    if (typeof target !== 'function') return target
    const fn = target as unknown as (...args: unknown[]) => unknown
    const manager = this
    return function (this: unknown, ...args: unknown[]) {
      return manager.with(ctx, () => fn.apply(this, args))
    } as unknown as T
  }

  enable(): this {
    return this
  }

  disable(): this {
    return this
  }
}

/** Spans started through `trace.getTracer(...)` go to the tracer of the execution they start in. */
class ExecutionRoutedTracer implements Tracer {
  startSpan(name: string, options: SpanOptions = {}, ctx: Context = context.active()): Span {
    const ex = currentExecution()
    const tracer = ex?.engine.tracer ?? fallback
    const parent = options.root ? undefined : trace.getSpanContext(ctx)
    if (!tracer) return trace.wrapSpanContext(parent ?? INVALID_SPAN_CONTEXT)
    // Parent-based: a span under a not-sampled one is not recorded either (OpenTelemetry's ParentBased).
    if (parent && (parent.traceFlags & TraceFlags.SAMPLED) === 0) return trace.wrapSpanContext(parent)
    const attributes: SpanAttributes = {}
    if (ex) attributes['motia.step'] = ex.step.name
    for (const [k, v] of Object.entries(options.attributes ?? {}))
      if (v != null) attributes[k] = v as SpanAttributeValue
    return (
      tracer.begin(
        parent?.traceId ?? ex?.traceId ?? newTraceId(),
        parent?.spanId,
        name,
        KINDS[options.kind ?? 0] ?? 'internal',
        attributes,
        options.startTime === undefined ? undefined : toEpochMs(options.startTime),
      ) ?? trace.wrapSpanContext(parent ?? INVALID_SPAN_CONTEXT)
    )
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, ...rest: unknown[]): ReturnType<F> {
    const fn = rest.pop() as F
    const [options, ctx] = rest as [SpanOptions | undefined, Context | undefined]
    const parent = ctx ?? context.active()
    const span = this.startSpan(name, options, parent)
    return context.with(trace.setSpan(parent, span), () => fn(span)) as ReturnType<F>
  }
}

const provider: TracerProvider = {
  getTracer: () => tracer,
}
const tracer = new ExecutionRoutedTracer()
let registered = false

/**
 * Makes `@opentelemetry/api` record into motia in this thread (engine or worker): a global
 * tracer provider and context manager, registered once. A project that registers its own
 * OpenTelemetry SDK first keeps it (OTel's globals refuse a second registration).
 */
export function registerOtelGlobals(defaultTracer?: ExecutionTracer): void {
  if (defaultTracer) fallback = defaultTracer
  if (registered) return
  registered = true
  context.setGlobalContextManager(new ExecutionContextManager())
  trace.setGlobalTracerProvider(provider)
}

/** A runtime that stops no longer receives spans started outside executions. */
export function releaseOtelFallback(t: ExecutionTracer): void {
  if (fallback === t) fallback = undefined
}
