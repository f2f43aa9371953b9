/** The APIs a handler's context offers (logger, state, enqueue, streams), also usable at module level. */

export type LogFields = Record<string, unknown>

export interface Logger {
  debug(message: string, fields?: LogFields): void
  info(message: string, fields?: LogFields): void
  warn(message: string, fields?: LogFields): void
  error(message: string, fields?: LogFields): void
  /** 0.x: log a whole object (`{ level?, msg, ...fields }`). */
  log(entry: LogFields & { msg?: string; message?: string; level?: string }): void
  child(fields: LogFields): Logger
}

export type UpdateOp =
  | { type: 'set'; path: string; value: unknown }
  | { type: 'merge'; path?: string; value: Record<string, unknown> }
  | { type: 'increment'; path: string; by: number }
  | { type: 'decrement'; path: string; by: number }
  | { type: 'remove'; path: string }

export interface StateWriteResult<T = unknown> {
  old_value: T | null
  new_value: T | null
}

/** 1.x state API (`ctx.state` on triggers-array steps, and `stateManager`). */
export interface StateManager {
  get<T = unknown>(groupId: string, key: string): Promise<T | null>
  set<T = unknown>(groupId: string, key: string, value: T): Promise<StateWriteResult<T>>
  update<T = unknown>(groupId: string, key: string, ops: readonly UpdateOp[]): Promise<StateWriteResult<T>>
  delete<T = unknown>(groupId: string, key: string): Promise<T | null>
  getGroup<T = unknown>(groupId: string): Promise<T[]>
  list<T = unknown>(groupId: string): Promise<T[]>
  clear(groupId: string): Promise<void>
  listGroups(): Promise<string[]>
}

/** 0.x state API: `set` returns the value itself. */
export interface InternalStateManager extends Omit<StateManager, 'set'> {
  set<T = unknown>(groupId: string, key: string, value: T): Promise<T>
}

export interface EnqueueMessage<TTopic extends string = string, TData = unknown> {
  topic: TTopic
  data: TData
  /** FIFO subscriptions deliver one message at a time per group, in enqueue order. */
  messageGroupId?: string
  /**
   * Delivery is at-least-once. A second enqueue with the same key on the same topic, while
   * the first message is still queued, is ignored.
   */
  idempotencyKey?: string
  /** Seconds before the message becomes visible (adds to the subscription's delaySeconds). */
  delaySeconds?: number
}

export type EnqueueFn<M = EnqueueMessage> = (message: M) => Promise<void>

export interface StreamItem {
  id: string
}

export interface MotiaStream<T = unknown> {
  get(groupId: string, id: string): Promise<(T & StreamItem) | null>
  set(groupId: string, id: string, data: T): Promise<T & StreamItem>
  update(groupId: string, id: string, ops: readonly UpdateOp[]): Promise<T & StreamItem>
  delete(groupId: string, id: string): Promise<(T & StreamItem) | null>
  getGroup(groupId: string): Promise<(T & StreamItem)[]>
  list(groupId: string): Promise<(T & StreamItem)[]>
  send(channel: { groupId: string; id?: string }, event: { type: string; data?: unknown }): Promise<void>
}
