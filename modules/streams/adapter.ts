import type { Readiness } from '../../runtime/readiness'
import type { UpdateOp } from '../../sdk/types'

/** A stream item: a JSON object that always carries its key as `id`. */
export type StreamItem = Record<string, unknown> & { id: string }

/** What a write returns: the item before and after (null where there was none). */
export interface StreamWriteResult {
  old_value: StreamItem | null
  new_value: StreamItem
}

/** What subscribers and stream triggers receive (`event` of the wire message). */
export type StreamEvent =
  | { type: 'create' | 'update' | 'delete'; data: StreamItem }
  | { type: 'event'; event: { type: string; data?: unknown } }

/** One change, as it goes to sockets: the wire message without `timestamp`'s meaning changing. */
export interface StreamChange {
  streamName: string
  groupId: string
  /** Absent for a group-level `send()`. */
  id?: string
  /** ms; strictly increasing within the process that made the change. */
  timestamp: number
  event: StreamEvent
}

export type StreamChangeListener = (change: StreamChange) => void

/** What an adapter can do beyond storing items; the module and the suite read these. */
export interface StreamAdapterCapabilities {
  /** Items survive a process restart (sqlite, redis) or not (memory). */
  readonly persistent: boolean
  /**
   * Several processes share the store and changes made by one reach the sockets of the others
   * through `announce` / `subscribe` (redis pub/sub). False: one process serves every socket.
   */
  readonly fanOut: boolean
}

/**
 * Storage behind `ctx.streams.<name>`: domain operations only; the adapter owns its
 * connections. Items are JSON objects; the adapter sets `id` from the key on every write, so
 * an item read back always carries it. Each write is atomic on its own (`update` applies all
 * its ops to one read of the item). `getGroup` returns items in creation order (an update keeps
 * an item's place; delete then set moves it to the end), which is the order clients show.
 *
 * Cross-instance fan-out (`capabilities.fanOut`, the Redis adapter): `subscribe` delivers
 * every change of every process, this one's included, in the one order the store gave them,
 * and the module sends to its sockets only what `subscribe` delivers, so every client of every
 * instance sees the same order. The module calls `announce(change)` after each change it makes
 * (an adapter that publishes writes as part of storing them only needs it for `send()`), and
 * stream triggers fire once, in the process that made the change. Such an adapter stamps each
 * write with its timestamp (`stampWrite`, read back with `writtenAt`) and gives the module its
 * clock (`now`), so timestamps increase across instances, not only within one.
 */
export interface StreamAdapter {
  readonly kind: string
  readonly capabilities: StreamAdapterCapabilities
  get(stream: string, groupId: string, id: string): Promise<StreamItem | null>
  /** Replaces the item with `{ ...data, id }`. */
  set(stream: string, groupId: string, id: string, data: Record<string, unknown>): Promise<StreamWriteResult>
  /** Applies ops in order to the item (`{}` when missing), then sets `id`. */
  update(stream: string, groupId: string, id: string, ops: readonly UpdateOp[]): Promise<StreamWriteResult>
  /** Removes the item; returns it, or null when there was none. */
  delete(stream: string, groupId: string, id: string): Promise<StreamItem | null>
  /** Items of the group in creation order. */
  getGroup(stream: string, groupId: string): Promise<StreamItem[]>
  /** Groups of the stream holding at least one item, sorted. */
  listGroups(stream: string): Promise<string[]>
  /** Removes every item of the group. No events: this is maintenance, not a client-visible write. */
  clear(stream: string, groupId: string): Promise<void>
  /** fanOut adapters: tell the other processes about a change made here. */
  announce?(change: StreamChange): Promise<void>
  /** fanOut adapters: every change, in store order; returns an unsubscribe function. */
  subscribe?(listener: StreamChangeListener): () => void
  /** fanOut adapters: the current time on the shared clock's scale (ms). */
  now?(): number
  /** Readiness probe: a store elsewhere (Redis) answers a ping; none means nothing to check. */
  ready?(): Promise<Readiness>
  close(): Promise<void>
}

/** `{ ...data, id }` after checking that data is a JSON object (items are objects by contract). */
export function toItem(data: unknown, id: string): StreamItem {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new TypeError(
      `stream item "${id}" must be a JSON object, got ${Array.isArray(data) ? 'an array' : typeof data}`,
    )
  }
  return { ...(data as Record<string, unknown>), id }
}

const WRITTEN_AT = Symbol('motia.stream.writtenAt')

/** Records the timestamp the store gave a write on its result (or deleted item), out of sight of JSON and equality. */
export function stampWrite(result: object, timestamp: number): void {
  Object.defineProperty(result, WRITTEN_AT, { value: timestamp, enumerable: false })
}

/** The timestamp a fanOut adapter gave this write, if any. */
export function writtenAt(result: object | null): number | undefined {
  return result === null ? undefined : (result as { [WRITTEN_AT]?: number })[WRITTEN_AT]
}
