/**
 * The `motia` SDK: what step files import. The binary provides this module to step files
 * itself, so projects need no node_modules.
 *
 * @example
 * import { http, type Handlers } from 'motia'
 * import { z } from 'zod'
 *
 * export const config = {
 *   name: 'CreateTodo',
 *   triggers: [http('POST', '/todos', { bodySchema: z.object({ text: z.string() }) })],
 *   enqueues: ['todo.created'],
 * } as const
 *
 * export const handler: Handlers<typeof config> = async (req, { enqueue }) => {
 *   await enqueue({ topic: 'todo.created', data: req.body })
 *   return { status: 201, body: { ok: true } }
 * }
 */
import { toJsonSchema } from '../runtime/schema'
import { stateManager } from './module-api'
import { stateTrigger } from './triggers'
import type { StateManager, StepConfig, StepSchemaInput } from './types'

export { NonRetriableError, RetryAfterError } from './errors'
export { enqueue, getInstance, logger, Stream, stateManager } from './module-api'
export { api, cron, http, queue, stateTrigger, stream } from './triggers'
export type * from './types'

/**
 * Both the `state` trigger helper (`state(condition?)`) and, as an object, the module-level
 * state manager (`state.get(...)`), the two meanings the name has in Motia's releases.
 */
export const state: typeof stateTrigger & StateManager = Object.assign(
  (condition?: Parameters<typeof stateTrigger>[0]) => stateTrigger(condition),
  stateManager,
)

/**
 * Pairs a config and its handler: `export default step(config, handler)`, or
 * `step(config).handle(handler)`.
 */
export function step<C extends StepConfig, H extends (...args: any[]) => any>(
  config: C,
  handler: H,
): { config: C; handler: H }
export function step<C extends StepConfig>(config: C): { config: C; handle<H>(handler: H): { config: C; handler: H } }
export function step(config: StepConfig, handler?: unknown): unknown {
  if (handler) return { config, handler }
  return { config, handle: (h: unknown) => ({ config, handler: h }) }
}

type AnyFn = (input: any, ctx: any) => any

/**
 * One step, one handler per trigger kind:
 * `multiTriggerStep(config).onHttp(...).onQueue(...).handlers()`.
 */
export function multiTriggerStep<C extends StepConfig>(config: C) {
  const by: Record<string, AnyFn> = {}
  const handler = (_input: unknown, ctx: { match: (handlers: Record<string, AnyFn>) => Promise<unknown> }) =>
    ctx.match(by)
  const on = (type: string) => (fn: AnyFn) => {
    by[type] = fn
    return builder
  }
  const builder = {
    config,
    handler,
    onHttp: on('http'),
    onApi: on('http'),
    onQueue: on('queue'),
    onCron: on('cron'),
    onState: on('state'),
    onStream: on('stream'),
    handlers: () => ({ config, handler }),
  }
  return builder
}

/** A zod schema (zod 3 or 4) as JSON Schema, for configs that want plain data; JSON Schema as is. */
export function jsonSchema(schema: StepSchemaInput): Record<string, unknown> {
  return toJsonSchema(schema)
}

/** `motia.config.ts` default export (0.x `defineConfig`); plugins are accepted and ignored. */
export function defineConfig<T extends Record<string, unknown>>(config: T): T {
  return config
}
export { defineConfig as config }
