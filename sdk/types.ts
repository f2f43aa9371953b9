/**
 * Public types of the `motia` SDK: step configs (all three generations), handler inputs, the
 * context object, state and streams. Step files import these from `'motia'`. What handlers
 * receive is in handler-inputs.ts, the context's logger/state/enqueue/stream APIs in
 * context-apis.ts; both are re-exported here (the interfaces generated `types.d.ts` augments
 * stay in this file).
 */
import type { EnqueueFn, EnqueueMessage, InternalStateManager, Logger, MotiaStream, StateManager } from './context-apis'
import type { ApiRequest, ApiResponse, HttpMethod, StateTriggerInput, StreamTriggerInput } from './handler-inputs'

export type * from './context-apis'
export type * from './handler-inputs'

/** A zod schema (zod 3 or zod 4), or a JSON Schema object. */
export type StepSchemaInput = ZodSchemaLike | JsonSchema

/**
 * A zod schema of either major version, from whichever copy of zod the step imports (a project's
 * own zod 3, or zod 4): the runtime validates with its `safeParse`, and handler types come from
 * the `_output` type both versions carry.
 *
 * @example
 * import { z } from 'zod' // the project's zod 3.x, or zod 4
 * export const config = {
 *   name: 'AddTodo',
 *   triggers: [http('POST', '/todos', { bodySchema: z.object({ text: z.string() }) })],
 * } as const
 */
export interface ZodSchemaLike<Output = unknown> {
  readonly _output: Output
  safeParse(data: unknown): unknown
}
export type JsonSchema = { type?: string | string[]; [key: string]: unknown }

/** A topic a step writes: the name, or `{ topic, label?, conditional? }` (labels are drawn in flows). */
export type Enqueue = string | { topic: string; label?: string; conditional?: boolean }
/** 0.x name for {@link Enqueue}. */
export type Emit = Enqueue

export interface QueueConfig {
  type: 'standard' | 'fifo'
  /** Retries after the first attempt (total attempts = maxRetries + 1). */
  maxRetries: number
  /** Seconds a started message stays invisible before it is redelivered. */
  visibilityTimeout: number
  /** Seconds before a new message becomes visible. */
  delaySeconds: number
  concurrency: number
  backoffType: 'fixed' | 'exponential'
  backoffDelayMs: number
}

export interface InfrastructureConfig {
  handler?: { timeout?: number; ram?: number; cpu?: number }
  queue?: Partial<QueueConfig>
}

export type TriggerCondition<I = any> = (input: I, ctx: FlowContext<any>) => boolean | Promise<boolean>

export interface QueryParamDoc {
  name: string
  description?: string
}

export interface HttpTrigger {
  type: 'http' | 'api'
  method: HttpMethod
  path: string
  bodySchema?: StepSchemaInput
  responseSchema?: Record<number, StepSchemaInput>
  queryParams?: readonly QueryParamDoc[]
  middleware?: readonly ApiMiddleware<any, any>[]
  condition?: TriggerCondition<ApiRequest<any>>
}

export interface QueueTrigger {
  type: 'queue'
  topic: string
  input?: StepSchemaInput
  config?: Partial<QueueConfig>
  condition?: TriggerCondition
}

/** Seed-docs form of a queue trigger: several topics at once. */
export interface EventTrigger {
  type: 'event'
  subscribes: readonly string[]
  input?: StepSchemaInput
  config?: Partial<QueueConfig>
  condition?: TriggerCondition
}

export interface CronTrigger {
  type: 'cron'
  expression?: string
  cron?: string
  timezone?: string
  condition?: TriggerCondition<undefined>
}

export interface StateTrigger {
  type: 'state'
  condition?: TriggerCondition<StateTriggerInput>
}

export interface StreamTrigger {
  type: 'stream'
  streamName: string
  groupId?: string
  itemId?: string
  condition?: TriggerCondition<StreamTriggerInput>
}

export type TriggerConfig = HttpTrigger | QueueTrigger | EventTrigger | CronTrigger | StateTrigger | StreamTrigger

interface StepConfigBase {
  name: string
  description?: string
  flows?: readonly string[]
  virtualEnqueues?: readonly Enqueue[]
  virtualEmits?: readonly Enqueue[]
  virtualSubscribes?: readonly string[]
  includeFiles?: readonly string[]
  infrastructure?: InfrastructureConfig
}

/** 1.x step config: a `triggers` array. Write `as const satisfies StepConfig` to keep inference. */
export interface TriggersStepConfig extends StepConfigBase {
  triggers: readonly TriggerConfig[]
  enqueues?: readonly Enqueue[]
  emits?: readonly Enqueue[]
}

/** 0.x `type: 'api'` step. */
export interface ApiRouteConfig extends StepConfigBase {
  type: 'api'
  path: string
  method: HttpMethod
  emits?: readonly Enqueue[]
  bodySchema?: StepSchemaInput
  responseSchema?: Record<number, StepSchemaInput>
  queryParams?: readonly QueryParamDoc[]
  middleware?: readonly ApiMiddleware<any, any>[]
}

/** 0.x `type: 'event'` step. */
export interface EventConfig extends StepConfigBase {
  type: 'event'
  subscribes: readonly string[]
  emits?: readonly Enqueue[]
  input?: StepSchemaInput
}

/** 0.x `type: 'cron'` step. */
export interface CronConfig extends StepConfigBase {
  type: 'cron'
  cron: string
  emits?: readonly Enqueue[]
}

/** 0.x `type: 'noop'` step: drawn in flow diagrams only, never runs. */
export interface NoopConfig extends StepConfigBase {
  type: 'noop'
  virtualEmits?: readonly Enqueue[]
  virtualSubscribes?: readonly string[]
}

export type LegacyStepConfig = ApiRouteConfig | EventConfig | CronConfig | NoopConfig
export type StepConfig = TriggersStepConfig | LegacyStepConfig

// ---------------------------------------------------------------------------------------------
// Handler inputs (the request, response and change events: handler-inputs.ts)

export type ApiMiddleware<TBody = any, TResult = ApiResponse> = (
  req: ApiRequest<TBody>,
  ctx: FlowContext<any>,
  next: () => Promise<TResult>,
) => Promise<TResult> | TResult

// ---------------------------------------------------------------------------------------------
// Context (logger, state, enqueue and stream APIs: context-apis.ts)

/** Augmented by generated `types.d.ts` with one entry per stream. */
// biome-ignore lint/suspicious/noEmptyInterface: augmented by generated types
export interface FlowContextStateStreams {}
export type Streams = FlowContextStateStreams & Record<string, MotiaStream<any>>

export type TriggerType = 'http' | 'queue' | 'cron' | 'state' | 'stream'

export interface TriggerInfo {
  type: TriggerType
  index: number
  path?: string
  method?: string
  topic?: string
  expression?: string
  streamName?: string
  /** Cron: the time (ms since the epoch) the tick was scheduled for; the same on every instance. */
  scheduledTime?: number
}

export interface MatchHandlers<R> {
  http?: (input: ApiRequest<any>) => R | Promise<R>
  queue?: (input: any) => R | Promise<R>
  cron?: (input: undefined) => R | Promise<R>
  state?: (input: StateTriggerInput) => R | Promise<R>
  stream?: (input: StreamTriggerInput) => R | Promise<R>
  default?: (input: unknown) => R | Promise<R>
}

export interface FlowContext<TEnqueue = EnqueueMessage> {
  traceId: string
  logger: Logger
  enqueue: EnqueueFn<TEnqueue>
  /** 0.x name for `enqueue`. */
  emit: EnqueueFn<TEnqueue>
  state: StateManager
  streams: Streams
  flows: readonly string[]
  trigger: TriggerInfo
  is: {
    http(input: unknown): input is ApiRequest<any>
    queue(input: unknown): boolean
    cron(input: unknown): input is undefined
    state(input: unknown): input is StateTriggerInput
    stream(input: unknown): input is StreamTriggerInput
  }
  getData(): unknown
  match<R>(handlers: MatchHandlers<R>): Promise<R>
}

/** 0.x context: `state.set` returns the value. */
export interface LegacyFlowContext<TEnqueue = EnqueueMessage> extends Omit<FlowContext<TEnqueue>, 'state'> {
  state: InternalStateManager
}

// ---------------------------------------------------------------------------------------------
// Handler typing

type InferSchema<S> = S extends ZodSchemaLike<infer O> ? O : unknown

type HttpTriggersOf<C> = C extends { triggers: readonly (infer T)[] }
  ? Extract<T, { type: 'http' | 'api' }>
  : C extends { type: 'api' }
    ? C
    : never
type QueueTriggersOf<C> = C extends { triggers: readonly (infer T)[] }
  ? Extract<T, { type: 'queue' | 'event' }>
  : C extends { type: 'event' }
    ? C
    : never
type OtherTriggerTypes<C> = C extends { triggers: readonly (infer T)[] } ? Extract<T, { type: string }>['type'] : never

type HttpBody<T> = T extends { bodySchema: infer S } ? InferSchema<S> : unknown
type QueueInput<T> = T extends { input: infer S } ? InferSchema<S> : unknown

type EnqueuesOf<C> = C extends { enqueues: readonly (infer E)[] }
  ? E
  : C extends { emits: readonly (infer E)[] }
    ? E
    : never
type TopicOf<E> = E extends string ? E : E extends { topic: infer T extends string } ? T : never
type DataOf<T extends string> = T extends keyof TopicRegistry ? TopicRegistry[T] : unknown
/** A step that declares its topics may enqueue only those, each with its subscribers' data type. */
type EnqueueOf<C> = [TopicOf<EnqueuesOf<C>>] extends [never]
  ? EnqueueMessage
  : { [T in TopicOf<EnqueuesOf<C>>]: EnqueueMessage<T, DataOf<T>> }[TopicOf<EnqueuesOf<C>>]

/** Augmented by generated `types.d.ts`: each topic's message data (what its subscribers' `input` accepts). */
// biome-ignore lint/suspicious/noEmptyInterface: augmented by generated types
export interface TopicRegistry {}

export type InferHandlerInput<C> =
  | ([HttpTriggersOf<C>] extends [never] ? never : ApiRequest<HttpBody<HttpTriggersOf<C>>>)
  | ([QueueTriggersOf<C>] extends [never] ? never : QueueInput<QueueTriggersOf<C>>)
  | ('cron' extends OtherTriggerTypes<C> ? undefined : never)
  | ('state' extends OtherTriggerTypes<C> ? StateTriggerInput : never)
  | ('stream' extends OtherTriggerTypes<C> ? StreamTriggerInput : never)

type HandlerReturn<C> = [HttpTriggersOf<C>] extends [never] ? void : ApiResponse | undefined

/**
 * Types a handler from its config: `Handlers<typeof config>`. Augmented by generated
 * `types.d.ts` so `Handlers['StepName']` works for 0.x projects.
 */
export type Handlers<C = unknown> = C extends { type: 'cron' }
  ? (ctx: LegacyFlowContext<EnqueueOf<C>>) => Promise<void>
  : C extends { type: 'api' | 'event' }
    ? (input: InferHandlerInput<C>, ctx: LegacyFlowContext<EnqueueOf<C>>) => Promise<HandlerReturn<C>>
    : C extends { triggers: readonly unknown[] }
      ? (input: InferHandlerInput<C>, ctx: FlowContext<EnqueueOf<C>>) => Promise<HandlerReturn<C> | void>
      : HandlersRegistry & ((input: any, ctx: any) => Promise<any>)

/** Augmented by generated `types.d.ts` (0.x `Handlers['StepName']`). */
// biome-ignore lint/suspicious/noEmptyInterface: augmented by generated types
export interface HandlersRegistry {}

export type StepHandler<C = unknown> = Handlers<C>
export type EventHandler<I = unknown, E = EnqueueMessage> = (input: I, ctx: LegacyFlowContext<E>) => Promise<void>
export type ApiRouteHandler<B = unknown, R = ApiResponse, E = EnqueueMessage> = (
  req: ApiRequest<B>,
  ctx: LegacyFlowContext<E>,
) => Promise<R>
export type CronHandler<E = EnqueueMessage> = (ctx: LegacyFlowContext<E>) => Promise<void>

// ---------------------------------------------------------------------------------------------
// Streams

export interface StreamSubscription {
  groupId: string
  id?: string
}

export interface StreamConfig {
  name: string
  schema?: StepSchemaInput
  baseConfig?: { storageType: 'default' } | { storageType: 'custom'; factory: () => MotiaStream<any> }
  canAccess?: (subscription: StreamSubscription, authContext: unknown) => boolean | Promise<boolean>
  onJoin?: (
    subscription: StreamSubscription,
    ctx: FlowContext<any>,
    authContext?: unknown,
  ) => { unauthorized?: boolean } | undefined | Promise<{ unauthorized?: boolean } | undefined>
  onLeave?: (subscription: StreamSubscription, ctx: FlowContext<any>, authContext?: unknown) => void | Promise<void>
}

export interface AuthenticateStreamInput {
  headers: Record<string, string>
  path: string
  queryParams: Record<string, string[]>
  addr: string
}

export type AuthenticateStream = (
  input: AuthenticateStreamInput,
  ctx: { logger: Logger },
) => Promise<{ context?: unknown } | undefined> | { context?: unknown } | undefined

/** A call of an iii function (a worker's, or the engine's own), as iii's SDK `trigger` takes it. */
export interface TriggerRequest {
  function_id: string
  payload?: unknown
  /** `{ type: 'enqueue', queue }`: queued durably, answered with `{ messageReceiptId }`; `void`: not awaited. */
  action?: { type: 'enqueue'; queue: string } | { type: 'void' }
  timeoutMs?: number
}
