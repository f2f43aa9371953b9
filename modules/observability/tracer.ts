import { newSpanId } from '../../runtime/trace-id'
import type { ExecutionTracer, SpanAttributes, SpanKindName, SpanRecord } from '../../runtime/tracing'
import { MotiaSpan, type SpanSink } from './span'

export interface SpanCollector extends SpanSink {
  /** A span that ended in another thread. */
  recorded(span: SpanRecord): void
  /** Whether spans of this trace are recorded at all; absent: every trace is. */
  sampled?(traceId: string): boolean
  /** Whether a trace not seen before would be (`sampled` of a new trace id); absent: yes. */
  takesNew?(): boolean
}

/** Starts `MotiaSpan`s that end into a collector: the trace store, or a worker's message port. */
export class SpanTracer implements ExecutionTracer {
  constructor(private readonly collector: SpanCollector) {}

  begin(
    traceId: string,
    parentSpanId: string | undefined,
    name: string,
    kind: SpanKindName,
    attributes: SpanAttributes | (() => SpanAttributes),
    startTime?: number,
  ): MotiaSpan | undefined {
    if (this.collector.sampled && !this.collector.sampled(traceId)) return undefined
    const attrs = typeof attributes === 'function' ? attributes() : attributes
    return new MotiaSpan(this.collector, traceId, newSpanId(), parentSpanId, name, kind, attrs, startTime)
  }

  record(span: SpanRecord): void {
    this.collector.recorded(span)
  }

  takesNewTrace(): boolean {
    return this.collector.takesNew?.() ?? true
  }
}
