import type {
  ApiMiddleware,
  ApiResponse,
  HttpMethod,
  QueryParamDoc,
  QueueConfig,
  ResponseWriter,
  TriggerCondition,
  TriggerType,
} from '../sdk/types'
import type { CompiledSchema } from './schema'

/** `legacy`: 0.x top-level `type` configs (cron handler gets ctx only, `state.set` returns the value). */
export type StepGeneration = 'legacy' | 'triggers'

interface TriggerBase {
  /** Position in the step's `triggers` array (legacy configs: 0). */
  index: number
  condition?: TriggerCondition
}

export interface HttpTriggerDef extends TriggerBase {
  type: 'http'
  method: HttpMethod
  path: string
  bodySchema?: CompiledSchema
  responseSchema?: Map<number, CompiledSchema>
  queryParams: readonly QueryParamDoc[]
  middleware: readonly ApiMiddleware[]
}

export interface QueueTriggerDef extends TriggerBase {
  type: 'queue'
  topic: string
  input?: CompiledSchema
  queueConfig: Partial<QueueConfig>
}

export interface CronTriggerDef extends TriggerBase {
  type: 'cron'
  expression: string
  timezone?: string
}

export interface StateTriggerDef extends TriggerBase {
  type: 'state'
}

export interface StreamTriggerDef extends TriggerBase {
  type: 'stream'
  streamName: string
  groupId?: string
  itemId?: string
}

export type TriggerDef = HttpTriggerDef | QueueTriggerDef | CronTriggerDef | StateTriggerDef | StreamTriggerDef

export interface EnqueueDef {
  topic: string
  label?: string
  conditional?: boolean
}

export type StepHandlerFn = (...args: any[]) => unknown

/** A loaded, validated step: what every module works from. */
export interface StepDefinition {
  name: string
  /** Absolute path of the step file. */
  file: string
  /** Path relative to the project root, as shown in messages. */
  relFile: string
  generation: StepGeneration
  description?: string
  flows: readonly string[]
  triggers: readonly TriggerDef[]
  enqueues: readonly EnqueueDef[]
  virtualEnqueues: readonly EnqueueDef[]
  virtualSubscribes: readonly string[]
  /** `infrastructure.handler.timeout`, in ms. */
  handlerTimeoutMs?: number
  /** `infrastructure.queue`: defaults for this step's queue triggers. */
  queueConfig?: Partial<QueueConfig>
  /** noop steps are drawn in flows but never run. */
  handler?: StepHandlerFn
  /** The config object as exported, for the console and type generation. */
  config: Readonly<Record<string, unknown>>
}

export type TriggerOf<T extends TriggerType> = Extract<TriggerDef, { type: T }>

/** A bodyless HTTP request as plain data, for a handler that runs in another process. */
export interface RemoteHttpCall {
  step: string
  triggerIndex: number
  method: string
  pathParams: Record<string, string>
  queryParams: Record<string, string | string[]>
  headers: Record<string, string | string[]>
  traceId: string
  spanId?: string
}

/**
 * What a handler running in another process (a Python step's) offers the HTTP module besides
 * being called: a bodyless request goes to it straight from the route, without the in-process
 * pipeline (request object, ctx, execution scope, a promise chain), which costs more than the
 * trip to that process. `answer` gets the handler's response (undefined: none returned) or its
 * error, E_HANDLER_TIMEOUT past `timeoutMs`; `writer()` is called when the handler streams;
 * `json` gets the commonest answer instead, a JSON body with no headers of the handler's own,
 * as the handler's process serialised it.
 */
export interface RemoteHttp {
  http(
    call: RemoteHttpCall,
    timeoutMs: number,
    answer: (result: ApiResponse | undefined, error?: Error) => void,
    writer: () => ResponseWriter,
    json: (status: number, body: string) => void,
  ): void
}

/** The key under which a step's handler function carries its RemoteHttp. */
export const REMOTE_HTTP = Symbol('motia.remoteHttp')

export function remoteHttpOf(step: StepDefinition): RemoteHttp | undefined {
  return (step.handler as { [REMOTE_HTTP]?: RemoteHttp } | undefined)?.[REMOTE_HTTP]
}

/** A `*.stream.ts` definition. */
export interface StreamDefinition {
  name: string
  file: string
  relFile: string
  schema?: import('./schema').CompiledSchema
  config: import('../sdk/types').StreamConfig
}

/**
 * A step the runtime makes itself, with no handler file to load: the context of a stream's
 * hooks, an iii queue's subscriptions.
 */
export function syntheticStep(
  name: string,
  file: string,
  relFile: string,
  config: Record<string, unknown> = {},
): StepDefinition {
  return {
    name,
    file,
    relFile,
    generation: 'triggers',
    flows: [],
    triggers: [],
    enqueues: [],
    virtualEnqueues: [],
    virtualSubscribes: [],
    config,
  }
}
