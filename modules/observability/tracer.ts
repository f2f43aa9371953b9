import { NOT_SAMPLED_SPAN_ID, newSpanId } from '../../runtime/trace-id'
import type {
  ActiveSpan,
  ExecutionParent,
  ExecutionTracer,
  SampledTrigger,
  SpanAttributes,
  SpanKindName,
  SpanRecord,
} from '../../runtime/tracing'
import type { TraceSampler } from './sampler'
import { MotiaSpan, type SpanSink } from './span'
import { TailSpan } from './tail-span'

export interface SpanCollector extends SpanSink {
  /** A span that ended in another thread, or a not-sampled execution's span kept at its end; whether the store took it. */
  recorded(span: SpanRecord): boolean
  /** Whether spans of this trace are recorded at all (the store's room); absent: every trace is. */
  sampled?(traceId: string): boolean
  /** Whether a trace not seen before would be (`sampled` of a new trace id); absent: yes. */
  takesNew?(): boolean
}

/**
 * Starts `MotiaSpan`s that end into a collector: the trace store, or a worker's message port.
 * With a sampler (`observability.sampling`), `execution` decides per execution whether its trace
 * is recorded; spans whose parent is `NOT_SAMPLED_SPAN_ID` never are.
 */
export class SpanTracer implements ExecutionTracer {
  constructor(
    private readonly collector: SpanCollector,
    private readonly sampler?: TraceSampler,
  ) {}

  begin(
    traceId: string,
    parentSpanId: string | undefined,
    name: string,
    kind: SpanKindName,
    attributes: SpanAttributes | (() => SpanAttributes),
    startTime?: number,
  ): MotiaSpan | undefined {
    if (parentSpanId === NOT_SAMPLED_SPAN_ID) return undefined
    if (this.collector.sampled && !this.collector.sampled(traceId)) return undefined
    const attrs = typeof attributes === 'function' ? attributes() : attributes
    return new MotiaSpan(this.collector, traceId, newSpanId(), parentSpanId, name, kind, attrs, startTime)
  }

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
  ): ActiveSpan | undefined {
    const sampler = this.sampler
    const parentId = parentSpanId === NOT_SAMPLED_SPAN_ID ? undefined : parentSpanId
    if (sampler && sampler.decide(traceId, parent, name, step, trigger) !== undefined)
      return new TailSpan(this.collector, sampler, traceId, parentId, name, kind, attributes, startTime)
    // Sampled: recorded while the store has room for the trace. A trace made here asks first,
    // as under load most are not, without looking the trace up.
    if (parent === 'fresh' && !this.takesNewTrace()) return undefined
    return this.begin(traceId, parentId, name, kind, attributes, startTime)
  }

  record(span: SpanRecord): void {
    this.collector.recorded(span)
  }

  takesNewTrace(): boolean {
    return this.collector.takesNew?.() ?? true
  }
}
