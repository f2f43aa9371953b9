import type { UpdateOp } from '../../../sdk/types'
import { applyUpdateOps } from '../../state/update-ops'
import type { StreamAdapter, StreamItem, StreamWriteResult } from '../adapter'
import { toItem } from '../adapter'

type Group = Map<string, string>

/**
 * Stream items in process memory (tests, `streams.adapter: memory`). Items are kept as JSON
 * text so callers never share objects with the store, like the SQLite adapter. A Map keeps
 * insertion order, which is the creation order `getGroup` promises.
 */
export class MemoryStreamAdapter implements StreamAdapter {
  readonly kind = 'memory'
  readonly capabilities = { persistent: false, fanOut: false } as const
  private readonly streams = new Map<string, Map<string, Group>>()

  async get(stream: string, groupId: string, id: string): Promise<StreamItem | null> {
    return this.read(stream, groupId, id)
  }

  async set(stream: string, groupId: string, id: string, data: Record<string, unknown>): Promise<StreamWriteResult> {
    return this.write(stream, groupId, id, () => toItem(data, id))
  }

  async update(stream: string, groupId: string, id: string, ops: readonly UpdateOp[]): Promise<StreamWriteResult> {
    return this.write(stream, groupId, id, (old) => toItem(applyUpdateOps(old, ops), id))
  }

  async delete(stream: string, groupId: string, id: string): Promise<StreamItem | null> {
    const old = this.read(stream, groupId, id)
    const groups = this.streams.get(stream)
    const group = groups?.get(groupId)
    group?.delete(id)
    if (group?.size === 0) groups!.delete(groupId)
    return old
  }

  async getGroup(stream: string, groupId: string): Promise<StreamItem[]> {
    const group = this.streams.get(stream)?.get(groupId)
    return group ? [...group.values()].map((v) => JSON.parse(v) as StreamItem) : []
  }

  async listGroups(stream: string): Promise<string[]> {
    return [...(this.streams.get(stream)?.keys() ?? [])].sort()
  }

  async clear(stream: string, groupId: string): Promise<void> {
    this.streams.get(stream)?.delete(groupId)
  }

  async close(): Promise<void> {}

  private read(stream: string, groupId: string, id: string): StreamItem | null {
    const v = this.streams.get(stream)?.get(groupId)?.get(id)
    return v === undefined ? null : (JSON.parse(v) as StreamItem)
  }

  private write(
    stream: string,
    groupId: string,
    id: string,
    next: (old: StreamItem | null) => StreamItem,
  ): StreamWriteResult {
    const old = this.read(stream, groupId, id)
    const json = JSON.stringify(next(old))
    let groups = this.streams.get(stream)
    if (!groups) {
      groups = new Map()
      this.streams.set(stream, groups)
    }
    let group = groups.get(groupId)
    if (!group) {
      group = new Map()
      groups.set(groupId, group)
    }
    group.set(id, json)
    return { old_value: old, new_value: JSON.parse(json) as StreamItem }
  }
}
