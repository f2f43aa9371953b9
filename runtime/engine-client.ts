import type { EnqueueMessage, TriggerRequest } from '../sdk/types'
import type { LogTarget } from './logger'
import type { ExecutionTracer } from './tracing'

/** Who is calling: the step and trace every ctx call is attributed to (logs, traces, warnings). */
export interface CallOrigin {
  step: string
  traceId: string
  /** Span the call belongs to, when tracing is on. */
  spanId?: string
}

export type StateOp = 'get' | 'set' | 'update' | 'delete' | 'getGroup' | 'clear' | 'listGroups'
export type StreamOp = 'get' | 'set' | 'update' | 'delete' | 'getGroup' | 'send'

/** Argument names of each call, as errors about an argument name it (`state.set: value.result: …`). */
export const STATE_ARGS: Record<StateOp, readonly string[]> = {
  get: ['groupId', 'key'],
  set: ['groupId', 'key', 'value'],
  update: ['groupId', 'key', 'ops'],
  delete: ['groupId', 'key'],
  getGroup: ['groupId'],
  clear: ['groupId'],
  listGroups: [],
}
export const STREAM_ARGS: Record<StreamOp, readonly string[]> = {
  get: ['groupId', 'id'],
  set: ['groupId', 'id', 'data'],
  update: ['groupId', 'id', 'ops'],
  delete: ['groupId', 'id'],
  getGroup: ['groupId'],
  send: ['channel', 'event'],
}

/**
 * Everything a step's `ctx` can ask of the engine. Two transports implement it: direct calls on
 * the engine thread, and messages from worker threads (`modules/queue/pool/protocol.ts`). Calls
 * are plain data in and out so both behave the same: `StepContext` refuses any other argument
 * (`runtime/plain-data.ts`) before it reaches either transport.
 */
export interface EngineClient {
  state(op: StateOp, args: readonly unknown[], origin: CallOrigin): Promise<unknown>
  enqueue(message: EnqueueMessage, origin: CallOrigin): Promise<void>
  stream(name: string, op: StreamOp, args: readonly unknown[], origin: CallOrigin): Promise<unknown>
  /** Calls an iii function and resolves with its result (the iii module serves it). */
  trigger(request: TriggerRequest, origin: CallOrigin): Promise<unknown>
  /** Stream names known to the engine, so `ctx.streams.<name>` can fail clearly on a typo. */
  hasStream(name: string): boolean
  readonly logs: LogTarget
  /** Present when tracing is on: spans that user code starts through `@opentelemetry/api` go here. */
  readonly tracer?: ExecutionTracer | undefined
}
export type { TriggerRequest }
