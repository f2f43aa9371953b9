import type { EnqueueMessage, TriggerInfo } from '../sdk/types'
import { StepContext } from './context'
import type { CallOrigin, EngineClient, StateOp, StreamOp } from './engine-client'
import { MotiaError } from './errors'
import type { LogHub } from './logger'
import type { StepDefinition } from './step'

/** Served by the state module: every state call of every step goes through here. */
export interface StateService {
  call(op: StateOp, args: readonly unknown[], origin: CallOrigin): Promise<unknown>
}

/** Served by the queue module. */
export interface QueueService {
  enqueue(message: EnqueueMessage, origin: CallOrigin): Promise<void>
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

  constructor(readonly logs: LogHub) {}

  state(op: StateOp, args: readonly unknown[], origin: CallOrigin): Promise<unknown> {
    if (!this.stateService) return Promise.reject(missing('state'))
    return this.stateService.call(op, args, origin)
  }

  enqueue(message: EnqueueMessage, origin: CallOrigin): Promise<void> {
    if (!this.queueService) return Promise.reject(missing('queue'))
    return this.queueService.enqueue(message, origin)
  }

  stream(name: string, op: StreamOp, args: readonly unknown[], origin: CallOrigin): Promise<unknown> {
    if (!this.streamsService) return Promise.reject(missing('streams'))
    return this.streamsService.call(name, op, args, origin)
  }

  hasStream(name: string): boolean {
    return this.streamsService?.has(name) ?? false
  }

  context(step: StepDefinition, trigger: TriggerInfo, traceId: string, input: unknown): StepContext {
    return new StepContext(this, step, trigger, traceId, input)
  }
}

function missing(what: string): MotiaError {
  return new MotiaError('E_ADAPTER_UNKNOWN', `no ${what} module is running in this runtime`)
}
