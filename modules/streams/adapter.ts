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
 * Cross-instance fan-out (a Redis adapter): the module calls `announce(change)` after every
 * change it makes and publishes what `subscribe` delivers (changes announced by OTHER
 * processes) to its own sockets only, so each change reaches every socket once and stream
 * triggers fire once, in the process that made the change.
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
  /** fanOut adapters: changes announced by other processes; returns an unsubscribe function. */
  subscribe?(listener: StreamChangeListener): () => void
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
