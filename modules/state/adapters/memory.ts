import type { UpdateOp } from '../../../sdk/types'
import type { StateAdapter, StateEntry, StateWriteResult } from '../adapter'
import { applyUpdateOps } from '../update-ops'

/**
 * State in process memory (tests, `state.adapter: memory`). Values are kept as JSON text, so
 * a caller never shares an object with the store and values round-trip exactly as they do
 * through the SQLite adapter (`undefined` fields dropped, dates as strings).
 */
export class MemoryStateAdapter implements StateAdapter {
  readonly kind = 'memory'
  private readonly groups = new Map<string, Map<string, string>>()

  // Every method below reads and writes with no `await` in between, so concurrent calls on
  // the one event loop cannot interleave inside a read-modify-write.

  async get<T>(groupId: string, key: string): Promise<T | null> {
    return this.read<T>(groupId, key)
  }

  async set<T>(groupId: string, key: string, value: T): Promise<StateWriteResult<T>> {
    const old = this.read<T>(groupId, key)
    const json = toJson(value)
    this.write(groupId, key, json)
    return { old_value: old, new_value: JSON.parse(json) as T }
  }

  async update<T>(groupId: string, key: string, ops: readonly UpdateOp[]): Promise<StateWriteResult<T>> {
    const old = this.read<T>(groupId, key)
    // applyUpdateOps copies `old`, so `old` stays the value before the ops.
    const next = applyUpdateOps(old, ops)
    const json = toJson(next)
    this.write(groupId, key, json)
    return { old_value: old, new_value: JSON.parse(json) as T }
  }

  async delete<T>(groupId: string, key: string): Promise<T | null> {
    const old = this.read<T>(groupId, key)
    const group = this.groups.get(groupId)
    group?.delete(key)
    if (group?.size === 0) this.groups.delete(groupId)
    return old
  }

  async getGroup<T>(groupId: string): Promise<T[]> {
    return (await this.entries<T>(groupId)).map((e) => e.value)
  }

  async entries<T>(groupId: string): Promise<StateEntry<T>[]> {
    const group = this.groups.get(groupId)
    if (!group) return []
    return [...group.keys()].sort(byCodePoint).map((key) => ({ key, value: JSON.parse(group.get(key)!) as T }))
  }

  async clear(groupId: string): Promise<void> {
    this.groups.delete(groupId)
  }

  async listGroups(): Promise<string[]> {
    return [...this.groups.keys()].sort(byCodePoint)
  }

  async close(): Promise<void> {}

  private read<T>(groupId: string, key: string): T | null {
    const json = this.groups.get(groupId)?.get(key)
    return json === undefined ? null : (JSON.parse(json) as T)
  }

  private write(groupId: string, key: string, json: string): void {
    let group = this.groups.get(groupId)
    if (!group) {
      group = new Map()
      this.groups.set(groupId, group)
    }
    group.set(key, json)
  }
}

/** JSON text of a value; what JSON cannot hold at the top (undefined, a function) is stored as null. */
function toJson(value: unknown): string {
  return JSON.stringify(value) ?? 'null'
}

/**
 * Code-point order, which is the UTF-8 byte order SQLite's ORDER BY uses, so both adapters
 * list keys alike. JS's default sort compares UTF-16 units and puts emoji (surrogate pairs)
 * before U+E000–U+FFFF.
 */
function byCodePoint(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x === y) continue
    const xSurrogate = x >= 0xd800 && x <= 0xdfff
    const ySurrogate = y >= 0xd800 && y <= 0xdfff
    // A surrogate starts a code point above U+FFFF: larger than any single unit.
    if (xSurrogate !== ySurrogate) return xSurrogate ? 1 : -1
    return x - y
  }
  return a.length - b.length
}
