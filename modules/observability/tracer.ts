import { newSpanId } from '../../runtime/trace-id'
import type { ExecutionTracer, SpanAttributes, SpanKindName, SpanRecord } from '../../runtime/tracing'
import { MotiaSpan, type SpanSink } from './span'

/** Also told when a span starts, so records written inside it (logs) can find it. */
export interface SpanCollector extends SpanSink {
  started?(span: MotiaSpan): void
  /** A span that ended in another thread. */
  recorded(span: SpanRecord): void
}

/** Starts `MotiaSpan`s that end into a collector: the trace store, or a worker's message port. */
export class SpanTracer implements ExecutionTracer {
  constructor(private readonly collector: SpanCollector) {}

  begin(
    traceId: string,
    parentSpanId: string | undefined,
    name: string,
    kind: SpanKindName,
    attributes: SpanAttributes,
    startTime?: number,
  ): MotiaSpan {
    const span = new MotiaSpan(this.collector, traceId, newSpanId(), parentSpanId, name, kind, attributes, startTime)
    this.collector.started?.(span)
    return span
  }

  record(span: SpanRecord): void {
    this.collector.recorded(span)
  }
}
