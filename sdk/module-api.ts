import { streamFacade } from '../runtime/context'
import { requireExecution } from '../runtime/execution'
import type {
  EnqueueMessage,
  LogFields,
  Logger,
  StateManager,
  StateWriteResult,
  StreamConfig,
  StreamItem,
  TriggerRequest,
  UpdateOp,
} from './types'

/**
 * Logs in the current execution: same step and trace id as `ctx.logger`.
 *
 * @example
 * import { logger } from 'motia'
 * logger.info('charging card', { orderId })
 */
export const logger: Logger = {
  debug: (message: string, fields?: LogFields) => requireExecution('logger.debug').logger.debug(message, fields),
  info: (message: string, fields?: LogFields) => requireExecution('logger.info').logger.info(message, fields),
  warn: (message: string, fields?: LogFields) => requireExecution('logger.warn').logger.warn(message, fields),
  error: (message: string, fields?: LogFields) => requireExecution('logger.error').logger.error(message, fields),
  log: (entry) => requireExecution('logger.log').logger.log(entry),
  child: (fields) => requireExecution('logger.child').logger.child(fields),
}

/**
 * Enqueues a message from the current execution; the consumer continues its trace.
 *
 * @example
 * await enqueue({ topic: 'order.created', data: { id } })
 */
export function enqueue(message: EnqueueMessage): Promise<void> {
  return requireExecution('enqueue').enqueue(message)
}

/**
 * The iii engine this runtime also is (Motia 1.x's `getInstance()`): `trigger` calls a function
 * an iii worker registered (or an engine function: `state::get`, ...) from the current
 * execution, in its trace, and resolves with the function's result; a failure rejects with the
 * function's error message. `action: { type: 'enqueue', queue }` queues it durably instead.
 *
 * @example
 * import { getInstance } from 'motia'
 * const total = await getInstance().trigger({ function_id: 'billing::total', payload: { orderId } })
 */
export function getInstance(): { trigger<T = unknown>(request: TriggerRequest): Promise<T> } {
  return {
    trigger<T>(request: TriggerRequest) {
      const ctx = requireExecution('getInstance().trigger')
      return ctx.engine.trigger(request, ctx.origin) as Promise<T>
    },
  }
}

/**
 * State of the current execution's runtime (1.x API: `set` returns `{ new_value, old_value }`).
 *
 * @example
 * const { new_value } = await stateManager.update('counters', 'hits', [{ type: 'increment', path: 'n', by: 1 }])
 */
export const stateManager: StateManager = {
  get: (g, k) => requireExecution('stateManager.get').stateManager().get(g, k),
  set: (g, k, v) => requireExecution('stateManager.set').stateManager().set(g, k, v),
  update: (g, k, ops) => requireExecution('stateManager.update').stateManager().update(g, k, ops),
  delete: (g, k) => requireExecution('stateManager.delete').stateManager().delete(g, k),
  getGroup: (g) => requireExecution('stateManager.getGroup').stateManager().getGroup(g),
  list: (g) => requireExecution('stateManager.list').stateManager().getGroup(g),
  clear: (g) => requireExecution('stateManager.clear').stateManager().clear(g),
  listGroups: () => requireExecution('stateManager.listGroups').stateManager().listGroups(),
}

/**
 * A stream defined in a `*.stream.ts` file, usable from any handler.
 *
 * @example
 * export const config = { name: 'todo', schema: z.object({ text: z.string() }), baseConfig: { storageType: 'default' } }
 * export const todoStream = new Stream(config)
 * // in a handler: await todoStream.set('inbox', id, { text })
 */
export class Stream<T = unknown> {
  constructor(readonly config: StreamConfig) {}

  private api() {
    const ctx = requireExecution(`stream "${this.config.name}"`)
    return streamFacade(ctx.engine, this.config.name, () => ctx.callOrigin())
  }
  private raw(op: 'set' | 'update', args: unknown[]): Promise<StateWriteResult<T & StreamItem>> {
    const ctx = requireExecution(`stream "${this.config.name}"`)
    return ctx.engine.stream(this.config.name, op, args, ctx.origin) as Promise<StateWriteResult<T & StreamItem>>
  }

  get(groupId: string, id: string): Promise<(T & StreamItem) | null> {
    return this.api().get(groupId, id)
  }
  set(groupId: string, id: string, data: T): Promise<StateWriteResult<T & StreamItem>> {
    return this.raw('set', [groupId, id, data])
  }
  update(groupId: string, id: string, ops: readonly UpdateOp[]): Promise<StateWriteResult<T & StreamItem>> {
    return this.raw('update', [groupId, id, ops])
  }
  delete(groupId: string, id: string): Promise<(T & StreamItem) | null> {
    return this.api().delete(groupId, id)
  }
  getGroup(groupId: string): Promise<(T & StreamItem)[]> {
    return this.api().getGroup(groupId)
  }
  list(groupId: string): Promise<(T & StreamItem)[]> {
    return this.api().getGroup(groupId)
  }
  send(channel: { groupId: string; id?: string }, event: { type: string; data?: unknown }): Promise<void> {
    return this.api().send(channel, event)
  }
}
