import type { RuntimeMetrics } from '../modules/observability/metrics/runtime-metrics'
import type { EnqueueMessage, TriggerInfo } from '../sdk/types'
import { StepContext } from './context'
import type { CallOrigin, EngineClient, StateOp, StreamOp, TriggerRequest } from './engine-client'
import { MotiaError } from './errors'
import { LegacyEnqueues } from './legacy-enqueue'
import type { LogHub } from './logger'
import type { StepDefinition } from './step'
import { type ActiveSpan, type ExecutionTracer, endWith, type SpanAttributes } from './tracing'

/** Served by the state module: every state call of every step goes through here. */
export interface StateService {
  call(op: StateOp, args: readonly unknown[], origin: CallOrigin): Promise<unknown>
}

/** Served by the queue module. */
export interface QueueService {
  enqueue(message: EnqueueMessage, origin: CallOrigin): Promise<void>
}

/** Served by the iii module: functions workers registered, and the engine's own. */
export interface FunctionService {
  trigger(request: TriggerRequest, origin: CallOrigin): Promise<unknown>
}

/** Served by the streams module. */
export interface StreamsService {
  call(name: string, op: StreamOp, args: readonly unknown[], origin: CallOrigin): Promise<unknown>
  has(name: string): boolean
}

/**
 * The engine side of every `ctx` call, on the engine thread (direct transport). Modules plug
 * their services in at setup; a call to a service no module provides fails with a clear error.
 */
export class Engine implements EngineClient {
  stateService?: StateService
  queueService?: QueueService
  streamsService?: StreamsService
  functionService?: FunctionService
  /** Set by the observability module: executions and the ctx calls inside them become spans. */
  tracer?: ExecutionTracer
  /** Set by the metrics module: executions and ctx calls are counted (docs/observability.md). */
  metrics?: RuntimeMetrics

  private readonly legacyEnqueues: LegacyEnqueues

  constructor(readonly logs: LogHub) {
    this.legacyEnqueues = new LegacyEnqueues(logs)
  }

  state(op: StateOp, args: readonly unknown[], origin: CallOrigin): Promise<unknown> {
    const service = this.stateService
    if (!service) return Promise.reject(missing('state'))
    this.metrics?.count(
      this.metrics.stateOps,
      { 'motia.state.operation': op, 'motia.step': origin.step },
      `${op}\u0000${origin.step}`,
    )
    const span = this.child(origin, `state.${op}`, 'internal', stateAttributes(origin, op, args))
    if (!span) return service.call(op, args, origin)
    return endWith(span, service.call(op, args, within(origin, span)))
  }

  enqueue(message: EnqueueMessage, origin: CallOrigin): Promise<void> {
    const service = this.queueService
    if (!service) return Promise.reject(missing('queue'))
    if (message.topic === undefined) message = this.legacyEnqueues.normalize(message, origin)
    this.metrics?.count(this.metrics.enqueued, { 'motia.topic': message.topic }, message.topic)
    const span = this.child(origin, `enqueue ${message.topic}`, 'producer', {
      'motia.step': origin.step,
      'motia.operation': 'enqueue',
      'motia.topic': message.topic,
      'messaging.destination.name': message.topic,
      ...(message.messageGroupId !== undefined ? { 'motia.message_group_id': message.messageGroupId } : {}),
    })
    if (!span) return service.enqueue(message, origin)
    return endWith(span, service.enqueue(message, within(origin, span)))
  }

  stream(name: string, op: StreamOp, args: readonly unknown[], origin: CallOrigin): Promise<unknown> {
    const service = this.streamsService
    if (!service) return Promise.reject(missing('streams'))
    this.metrics?.count(
      this.metrics.streamOps,
      { 'motia.stream.name': name, 'motia.stream.operation': op },
      `${name}\u0000${op}`,
    )
    const span = this.child(origin, `stream.${op}`, 'internal', streamAttributes(origin, name, op, args))
    if (!span) return service.call(name, op, args, origin)
    return endWith(span, service.call(name, op, args, within(origin, span)))
  }

  trigger(request: TriggerRequest, origin: CallOrigin): Promise<unknown> {
    const service = this.functionService
    if (!service) return Promise.reject(missing('iii'))
    if (typeof request?.function_id !== 'string' || request.function_id === '') {
      return Promise.reject(new MotiaError('E_HANDLER_FAILED', 'trigger: function_id must be a non-empty string'))
    }
    return service.trigger(request, origin)
  }

  /** A child span of the calling execution; none outside an execution or with tracing off. */
  private child(origin: CallOrigin, name: string, kind: 'internal' | 'producer', attributes: SpanAttributes) {
    if (!this.tracer || !origin.spanId) return undefined
    return this.tracer.begin(origin.traceId, origin.spanId, name, kind, attributes)
  }

  hasStream(name: string): boolean {
    return this.streamsService?.has(name) ?? false
  }

  context(step: StepDefinition, trigger: TriggerInfo, traceId: string, input: unknown, spanId?: string): StepContext {
    return new StepContext(this, step, trigger, traceId, input, spanId)
  }
}

/** The origin a service sees: the call's own span, so what it starts (a state trigger, a message) links to it. */
const within = (origin: CallOrigin, span: ActiveSpan): CallOrigin => ({
  step: origin.step,
  traceId: origin.traceId,
  spanId: span.spanId,
})

function stateAttributes(origin: CallOrigin, op: StateOp, args: readonly unknown[]): SpanAttributes {
  const a: SpanAttributes = { 'motia.step': origin.step, 'motia.state.operation': op }
  if (typeof args[0] === 'string') a['motia.state.group_id'] = args[0]
  if (typeof args[1] === 'string' && op !== 'listGroups') a['motia.state.key'] = args[1]
  return a
}

function streamAttributes(origin: CallOrigin, name: string, op: StreamOp, args: readonly unknown[]): SpanAttributes {
  const a: SpanAttributes = { 'motia.step': origin.step, 'motia.stream.name': name, 'motia.stream.operation': op }
  if (typeof args[0] === 'string') a['motia.stream.group_id'] = args[0]
  if (typeof args[1] === 'string' && op !== 'send') a['motia.stream.item_id'] = args[1]
  return a
}

function missing(what: string): MotiaError {
  return new MotiaError('E_ADAPTER_UNKNOWN', `no ${what} module is running in this runtime`)
}
