import type { CallOrigin, EngineClient, StreamOp } from '../../runtime/engine-client'
import type { StreamChange, StreamItem } from '../streams/adapter'
import type { StreamsModuleApi } from '../streams/streams-module'
import type { BridgeClient } from './bridge-client'
import type { IiiEngine, TriggerEntry } from './iii-engine'
import { InvocationError } from './worker-connection'

/**
 * Where an iii value differs from a Motia stream item (an object carrying its key as `id`), the
 * stored item records how: `{ noId: true }` (the value had no `id`), `{ id }` (its own `id`
 * differs from the key) or `{ value }` (not an object). Items without it read back as they are.
 */
export const III_MARK = '_iii'
type Mark = { noId?: true; id?: unknown; value?: unknown }

/** A worker's value as the item motia's stream store keeps (and its clients see). */
export function toItem(value: unknown, itemId: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { [III_MARK]: { value: value ?? null } }
  }
  const v = value as Record<string, unknown>
  if (!('id' in v)) return { ...v, [III_MARK]: { noId: true } }
  return v.id === itemId ? v : { ...v, [III_MARK]: { id: v.id } }
}

/** A stored item as the worker wrote it (items written by steps read back whole, `id` included). */
export function toValue(item: StreamItem | null | undefined): unknown {
  if (!item) return item
  const mark = item[III_MARK] as Mark | undefined
  if (!mark || typeof mark !== 'object') return item
  if ('value' in mark) return mark.value
  const { [III_MARK]: _m, id, ...rest } = item
  if (mark.noId) return rest
  return { ...rest, id: 'id' in mark ? mark.id : id }
}

const writeResult = (r: unknown) => {
  const { old_value, new_value } = r as { old_value: StreamItem | null; new_value: StreamItem }
  return { old_value: toValue(old_value) ?? null, new_value: toValue(new_value) }
}

function text(p: Record<string, unknown>, field: string, fn: string): string {
  const v = p[field]
  if (typeof v !== 'string' || v === '') {
    throw new InvocationError({ code: 'invalid_payload', message: `${fn}: expected a non-empty string "${field}"` })
  }
  return v
}

/**
 * `stream::*` for workers on motia's streams: the same store (sqlite / redis adapter), so Motia
 * stream clients see the items and their events and steps' stream triggers fire; a stream no
 * `*.stream.ts` declares is created on first use, as iii does. A worker's own implementation
 * (`createStream`: `stream::get(<name>)`, ...) wins; with `iii.bridge.streams` another engine
 * serves them.
 */
export function registerStreamFunctions(
  iii: IiiEngine,
  engine: EngineClient,
  streams: StreamsModuleApi | undefined,
  origin: (traceparent?: string) => CallOrigin,
  remote?: BridgeClient,
): void {
  const ops = ['get', 'set', 'delete', 'list', 'list_groups', 'update'] as const
  for (const op of ops) {
    const fn = `stream::${op}`
    if (remote) {
      iii.builtin(fn, (data, call) => remote.invoke(fn, data, call.traceparent))
      continue
    }
    iii.builtin(fn, async (data, call) => {
      if (typeof data !== 'object' || data === null || Array.isArray(data)) {
        throw new InvocationError({ code: 'invalid_payload', message: `${fn}: expected an object payload` })
      }
      const p = data as Record<string, unknown>
      const name = text(p, 'stream_name', fn)
      const custom = `${fn}(${name})`
      if (iii.functions.has(custom)) return iii.invoke(custom, data, call)
      if (!streams) throw new InvocationError({ code: 'stream_unavailable', message: 'streams are not enabled' })
      streams.declare(name)
      if (op === 'list_groups') return streams.adapter.listGroups(name)
      const o = origin(call.traceparent)
      const group = text(p, 'group_id', fn)
      const run = (sop: StreamOp, args: unknown[]) => engine.stream(name, sop, [group, ...args], o)
      if (op === 'list') return ((await run('getGroup', [])) as StreamItem[]).map(toValue)
      const item = text(p, 'item_id', fn)
      switch (op) {
        case 'get':
          return toValue((await run('get', [item])) as StreamItem | null) ?? undefined
        case 'set':
          return writeResult(await run('set', [item, toItem(p.data, item)]))
        case 'update':
          return writeResult(await run('update', [item, p.ops ?? []]))
        default:
          return { old_value: toValue((await run('delete', [item])) as StreamItem | null) ?? undefined }
      }
    })
  }
}

/**
 * iii's `stream` trigger (config `stream_name`, optional `group_id`, `item_id`,
 * `condition_function_id`): every change of the stream made in this process, by a worker or a
 * step, as iii's event `{ type: 'stream', timestamp, streamName, groupId, id, event }`.
 */
export function registerStreamTrigger(
  iii: IiiEngine,
  streams: StreamsModuleApi,
  traceparentOf: (origin: CallOrigin) => string | undefined,
): () => void {
  const triggers = new Set<TriggerEntry>()
  iii.triggerType({
    id: 'stream',
    description: 'a stream item created, updated or deleted, or an event sent to a stream',
    register(t) {
      const c = (t.config ?? {}) as Record<string, unknown>
      if (typeof c.stream_name !== 'string' || c.stream_name === '') {
        throw new Error('stream trigger: config.stream_name must be a string')
      }
      triggers.add(t)
      return () => triggers.delete(t)
    },
  })
  return streams.onChange((change, origin) => {
    const matching = [...triggers].filter((t) => matches(t, change))
    if (matching.length === 0) return
    const event = iiiEvent(change)
    const traceparent = traceparentOf(origin)
    const opts = traceparent ? { traceparent } : {}
    for (const t of matching) {
      const condition = (t.config as Record<string, unknown>).condition_function_id
      const go =
        typeof condition === 'string'
          ? iii.invoke(condition, event, opts).then((ok) => ok === true)
          : Promise.resolve(true)
      void go.then((ok) => (ok ? iii.fire(t, event, opts) : undefined)).catch(() => {})
    }
  })
}

function matches(t: TriggerEntry, change: StreamChange): boolean {
  const c = t.config as Record<string, unknown>
  if (c.stream_name !== change.streamName) return false
  if (typeof c.group_id === 'string' && c.group_id !== '' && c.group_id !== change.groupId) return false
  return !(typeof c.item_id === 'string' && c.item_id !== '' && c.item_id !== change.id)
}

function iiiEvent(change: StreamChange) {
  const e = change.event
  return {
    type: 'stream',
    timestamp: change.timestamp,
    streamName: change.streamName,
    groupId: change.groupId,
    id: change.id ?? null,
    event: e.type === 'event' ? e : { type: e.type, data: toValue(e.data) },
  }
}
