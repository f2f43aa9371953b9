import type {
  ApiMiddleware,
  CronTrigger,
  HttpMethod,
  HttpTrigger,
  QueryParamDoc,
  QueueConfig,
  QueueTrigger,
  StateTrigger,
  StateTriggerInput,
  StepSchemaInput,
  StreamTrigger,
  StreamTriggerInput,
  TriggerCondition,
} from './types'

export interface HttpOptions {
  bodySchema?: StepSchemaInput
  responseSchema?: Record<number, StepSchemaInput>
  queryParams?: readonly QueryParamDoc[]
  middleware?: readonly ApiMiddleware<any, any>[]
}

/**
 * An HTTP trigger.
 *
 * @example
 * export const config = { name: 'GetTodo', triggers: [http('GET', '/todos/:id')] } as const
 */
export function http<M extends HttpMethod, P extends string, O extends HttpOptions = {}>(
  method: M,
  path: P,
  options?: O,
  condition?: TriggerCondition,
): { type: 'http'; method: M; path: P } & O {
  const t: Record<string, unknown> = { type: 'http', method, path, ...options }
  if (condition) t.condition = condition
  return t as unknown as { type: 'http'; method: M; path: P } & O
}

/** Older name of {@link http}. */
export const api = http

export interface QueueOptions {
  input?: StepSchemaInput
  config?: Partial<QueueConfig>
}

/**
 * A queue trigger: runs for every message enqueued to `topic`.
 *
 * @example
 * triggers: [queue('order.created', { input: z.object({ id: z.string() }) })]
 */
export function queue<T extends string, O extends QueueOptions = {}>(
  topic: T,
  options?: O,
  condition?: TriggerCondition,
): { type: 'queue'; topic: T } & O {
  const t: Record<string, unknown> = { type: 'queue', topic, ...options }
  if (condition) t.condition = condition
  return t as unknown as { type: 'queue'; topic: T } & O
}

/**
 * A cron trigger: 5 fields, 6 (leading seconds) or 7 (trailing year).
 *
 * @example
 * triggers: [cron('0 * * * *')]
 */
export function cron(expression: string, condition?: TriggerCondition<undefined>): CronTrigger & { type: 'cron' } {
  return condition ? { type: 'cron', expression, condition } : { type: 'cron', expression }
}

/**
 * A state trigger: runs after state changes that pass `condition`.
 *
 * @example
 * triggers: [stateTrigger((input) => input.group_id === 'orders')]
 */
export function stateTrigger(condition?: TriggerCondition<StateTriggerInput>): StateTrigger & { type: 'state' } {
  return condition ? { type: 'state', condition } : { type: 'state' }
}

export interface StreamTriggerOptions {
  groupId?: string
  itemId?: string
  condition?: TriggerCondition<StreamTriggerInput>
}

/**
 * A stream trigger: runs when items of `streamName` are created, updated or deleted.
 *
 * @example
 * triggers: [stream('todo', { groupId: 'inbox' })]
 */
export function stream(
  streamName: string,
  options?: StreamTriggerOptions | TriggerCondition<StreamTriggerInput>,
): StreamTrigger & { type: 'stream' } {
  const o = typeof options === 'function' ? { condition: options } : (options ?? {})
  return { type: 'stream', streamName, ...o }
}

export type { HttpTrigger, QueueTrigger }
