import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import type { StreamAdapter } from './adapter'

export interface SuiteTarget {
  adapter: StreamAdapter
  /** Persistent adapters: closes this adapter and opens another on the same store. */
  reopen?(): Promise<StreamAdapter>
  dispose?(): Promise<void> | void
}

/**
 * The contract every stream adapter meets. Each adapter's test runs it in three lines:
 * `streamAdapterSuite('sqlite', () => ({ adapter: ..., reopen, dispose }))`.
 */
export function streamAdapterSuite(name: string, create: () => SuiteTarget | Promise<SuiteTarget>): void {
  describe(`stream adapter: ${name}`, () => {
    let target: SuiteTarget
    let a: StreamAdapter
    beforeEach(async () => {
      target = await create()
      a = target.adapter
    })
    afterEach(async () => {
      await a.close()
      await target.dispose?.()
    })

    test('set/get round trip; id comes from the key; writes report old and new', async () => {
      expect(await a.get('todo', 'inbox', 't1')).toBeNull()
      const first = await a.set('todo', 'inbox', 't1', { text: 'milk', id: 'ignored', tags: ['a'] })
      expect(first).toEqual({ old_value: null, new_value: { text: 'milk', id: 't1', tags: ['a'] } })
      expect(await a.get('todo', 'inbox', 't1')).toEqual({ text: 'milk', id: 't1', tags: ['a'] })
      const second = await a.set('todo', 'inbox', 't1', { text: 'eggs' })
      expect(second).toEqual({
        old_value: { text: 'milk', id: 't1', tags: ['a'] },
        new_value: { text: 'eggs', id: 't1' },
      })
    })

    test('callers never share objects with the store', async () => {
      const data = { nested: { n: 1 } }
      const { new_value } = await a.set('todo', 'g', 'x', data)
      data.nested.n = 2
      ;(new_value.nested as { n: number }).n = 3
      const read = await a.get('todo', 'g', 'x')
      expect(read).toEqual({ nested: { n: 1 }, id: 'x' })
      ;(read!.nested as { n: number }).n = 4
      expect(await a.get('todo', 'g', 'x')).toEqual({ nested: { n: 1 }, id: 'x' })
    })

    test('update applies ops atomically, creating the item from {} when missing', async () => {
      const created = await a.update('todo', 'g', 'c', [{ type: 'increment', path: 'n', by: 2 }])
      expect(created).toEqual({ old_value: null, new_value: { n: 2, id: 'c' } })
      const next = await a.update('todo', 'g', 'c', [
        { type: 'merge', value: { done: true } },
        { type: 'set', path: 'meta.by', value: 'me' },
        { type: 'decrement', path: 'n', by: 1 },
      ])
      expect(next).toEqual({
        old_value: { n: 2, id: 'c' },
        new_value: { n: 1, id: 'c', done: true, meta: { by: 'me' } },
      })
      await expect(a.update('todo', 'g', 'c', [{ type: 'increment', path: 'done', by: 1 }])).rejects.toThrow()
      expect(await a.get('todo', 'g', 'c')).toEqual({ n: 1, id: 'c', done: true, meta: { by: 'me' } })
      // An op cannot take the id away: it is set from the key after the ops.
      const kept = await a.update('todo', 'g', 'c', [{ type: 'remove', path: 'id' }])
      expect(kept.new_value.id).toBe('c')
    })

    test('concurrent updates lose nothing', async () => {
      await Promise.all(
        Array.from({ length: 100 }, () => a.update('counter', 'g', 'hits', [{ type: 'increment', path: 'n', by: 1 }])),
      )
      expect(await a.get('counter', 'g', 'hits')).toEqual({ n: 100, id: 'hits' })
    })

    test('delete returns the item it removed, null when there was none', async () => {
      await a.set('todo', 'g', 'd', { v: 1 })
      expect(await a.delete('todo', 'g', 'd')).toEqual({ v: 1, id: 'd' })
      expect(await a.delete('todo', 'g', 'd')).toBeNull()
      expect(await a.get('todo', 'g', 'd')).toBeNull()
    })

    test('getGroup is in creation order: updates keep their place, re-created items move last', async () => {
      for (const id of ['b', 'c', 'a']) await a.set('todo', 'g', id, { v: id })
      await a.set('todo', 'g', 'b', { v: 'b2' })
      await a.update('todo', 'g', 'c', [{ type: 'set', path: 'v', value: 'c2' }])
      expect((await a.getGroup('todo', 'g')).map((i) => i.id)).toEqual(['b', 'c', 'a'])
      await a.delete('todo', 'g', 'b')
      await a.set('todo', 'g', 'b', { v: 'b3' })
      expect(await a.getGroup('todo', 'g')).toEqual([
        { v: 'c2', id: 'c' },
        { v: 'a', id: 'a' },
        { v: 'b3', id: 'b' },
      ])
      expect(await a.getGroup('todo', 'empty')).toEqual([])
    })

    test('streams and groups are separate; listGroups and clear', async () => {
      await a.set('todo', 'g2', 'x', { s: 'todo/g2' })
      await a.set('todo', 'g1', 'x', { s: 'todo/g1' })
      await a.set('chat', 'g1', 'x', { s: 'chat/g1' })
      expect(await a.get('chat', 'g1', 'x')).toEqual({ s: 'chat/g1', id: 'x' })
      expect(await a.listGroups('todo')).toEqual(['g1', 'g2'])
      expect(await a.listGroups('chat')).toEqual(['g1'])
      await a.clear('todo', 'g1')
      expect(await a.getGroup('todo', 'g1')).toEqual([])
      expect(await a.listGroups('todo')).toEqual(['g2'])
      expect(await a.get('chat', 'g1', 'x')).toEqual({ s: 'chat/g1', id: 'x' })
      await a.delete('todo', 'g2', 'x')
      expect(await a.listGroups('todo')).toEqual([])
    })

    test('items must be JSON objects', async () => {
      await expect(a.set('todo', 'g', 'x', 'text' as never)).rejects.toThrow(/must be a JSON object/)
      await expect(a.set('todo', 'g', 'x', [1] as never)).rejects.toThrow(/must be a JSON object/)
      expect(await a.get('todo', 'g', 'x')).toBeNull()
    })

    test('items survive reopening the store (persistent adapters)', async () => {
      if (!a.capabilities.persistent || !target.reopen) {
        // Skipped on purpose: this adapter keeps items in process memory only.
        expect(a.capabilities.persistent).toBe(false)
        return
      }
      await a.set('todo', 'g', 'p1', { v: 1 })
      await a.set('todo', 'g', 'p2', { v: 2 })
      await a.update('todo', 'g', 'p1', [{ type: 'set', path: 'v', value: 3 }])
      a = await target.reopen()
      expect(await a.getGroup('todo', 'g')).toEqual([
        { v: 3, id: 'p1' },
        { v: 2, id: 'p2' },
      ])
    })

    test('cross-instance fan-out hooks exist exactly when the adapter declares fanOut', () => {
      // Memory and SQLite serve one process: fan-out is the module's Bun pub/sub. A Redis adapter
      // declares fanOut and must provide both hooks.
      expect(typeof a.announce === 'function' && typeof a.subscribe === 'function').toBe(a.capabilities.fanOut)
    })
  })
}
