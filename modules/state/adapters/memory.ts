import type { UpdateOp } from '../../../sdk/types'
import type { StateAdapter, StateEntry, StateWriteResult } from '../adapter'
import { applyUpdateOps } from '../update-ops'

/**
 * State in process memory (tests, `state.adapter: memory`). Values are stored as JSON text so
 * callers never share objects with the store, exactly like the SQLite adapter.
 */
export class MemoryStateAdapter implements StateAdapter {
  readonly kind = 'memory'
  private readonly groups = new Map<string, Map<string, string>>()

  async get<T>(groupId: string, key: string): Promise<T | null> {
    return this.read<T>(groupId, key)
  }

  // Every read-modify-write below is synchronous: no await between reading the old value and
  // writing the new one, so concurrent calls cannot interleave.
  private read<T>(groupId: string, key: string): T | null {
    const v = this.groups.get(groupId)?.get(key)
    return v === undefined ? null : (JSON.parse(v) as T)
  }

  async set<T>(groupId: string, key: string, value: T): Promise<StateWriteResult<T>> {
    const old = this.read<T>(groupId, key)
    this.write(groupId, key, value)
    return { old_value: old, new_value: JSON.parse(JSON.stringify(value ?? null)) as T }
  }

  async update<T>(groupId: string, key: string, ops: readonly UpdateOp[]): Promise<StateWriteResult<T>> {
    const old = this.read<T>(groupId, key)
    const next = applyUpdateOps(old, ops) as T
    this.write(groupId, key, next)
    return { old_value: old, new_value: next }
  }

  async delete<T>(groupId: string, key: string): Promise<T | null> {
    const old = this.read<T>(groupId, key)
    const g = this.groups.get(groupId)
    g?.delete(key)
    if (g?.size === 0) this.groups.delete(groupId)
    return old
  }

  async getGroup<T>(groupId: string): Promise<T[]> {
    return (await this.entries<T>(groupId)).map((e) => e.value)
  }

  async entries<T>(groupId: string): Promise<StateEntry<T>[]> {
    const g = this.groups.get(groupId)
    if (!g) return []
    return [...g.keys()].sort().map((key) => ({ key, value: JSON.parse(g.get(key)!) as T }))
  }

  async clear(groupId: string): Promise<void> {
    this.groups.delete(groupId)
  }

  async listGroups(): Promise<string[]> {
    return [...this.groups.keys()].sort()
  }

  async close(): Promise<void> {}

  private write(groupId: string, key: string, value: unknown): void {
    let g = this.groups.get(groupId)
    if (!g) {
      g = new Map()
      this.groups.set(groupId, g)
    }
    g.set(key, JSON.stringify(value ?? null))
  }
}
