import type { Readiness } from '../../runtime/readiness'
import type { UpdateOp } from '../../sdk/types'

/** What a write returns: the value before and after (null where there was none). */
export interface StateWriteResult<T = unknown> {
  old_value: T | null
  new_value: T | null
}

/** One key and its value, for listings (console, tests). */
export interface StateEntry<T = unknown> {
  key: string
  value: T
}

/**
 * Storage behind `ctx.state` / `stateManager`. Values are JSON data. Every write is atomic
 * on its own: `update` applies all its ops to one read of the value, with no interleaving write.
 * The adapter owns its connections; `close()` releases them.
 */
export interface StateAdapter {
  readonly kind: string
  get<T = unknown>(groupId: string, key: string): Promise<T | null>
  set<T = unknown>(groupId: string, key: string, value: T): Promise<StateWriteResult<T>>
  /** Applies ops in order to the current value (`{}` when missing) as one atomic write. */
  update<T = unknown>(groupId: string, key: string, ops: readonly UpdateOp[]): Promise<StateWriteResult<T>>
  /** Removes the key; returns the value it had, or null. */
  delete<T = unknown>(groupId: string, key: string): Promise<T | null>
  /** Values of the group, ordered by key. */
  getGroup<T = unknown>(groupId: string): Promise<T[]>
  /** Keys and values of the group, ordered by key. */
  entries<T = unknown>(groupId: string): Promise<StateEntry<T>[]>
  clear(groupId: string): Promise<void>
  /** Names of groups holding at least one key, sorted. */
  listGroups(): Promise<string[]>
  /** Readiness probe: a store elsewhere (Redis) answers a ping; none means nothing to check. */
  ready?(): Promise<Readiness>
  close(): Promise<void>
}
