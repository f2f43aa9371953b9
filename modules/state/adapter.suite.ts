import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import type { StateAdapter } from './adapter'

export interface StateAdapterCaps {
  /**
   * Opens another adapter on the storage the latest `make()` used: a second connection to the
   * same file or server. Adapters whose values live in their own process memory leave it out,
   * and the persistence and shared-storage tests are not registered.
   */
  openAgain?: () => Promise<StateAdapter> | StateAdapter
}

const increment = { type: 'increment', path: 'n', by: 1 } as const

/**
 * The conformance suite every StateAdapter passes. `make` returns an adapter on empty storage;
 * the suite closes it after each test.
 */
export function stateAdapterSuite(
  name: string,
  make: () => Promise<StateAdapter> | StateAdapter,
  caps: StateAdapterCaps = {},
): void {
  describe(`StateAdapter: ${name}`, () => {
    let a: StateAdapter
    beforeEach(async () => {
      a = await make()
    })
    afterEach(async () => {
      await a.close()
    })

    test('get of a missing key is null; set returns the old and new values', async () => {
      expect(await a.get('g', 'k')).toBeNull()
      expect(await a.set('g', 'k', { n: 1 })).toEqual({ old_value: null, new_value: { n: 1 } })
      expect(await a.set('g', 'k', { n: 2 })).toEqual({ old_value: { n: 1 }, new_value: { n: 2 } })
      expect(await a.get('g', 'k')).toEqual({ n: 2 })
      expect(await a.get('g', 'other')).toBeNull()
      expect(await a.get('other', 'k')).toBeNull()
    })

    test('update starts from {} and returns the old and new values', async () => {
      expect(await a.update('g', 'u', [{ type: 'increment', path: 'n', by: 2 }])).toEqual({
        old_value: null,
        new_value: { n: 2 },
      })
      const r = await a.update('g', 'u', [
        { type: 'set', path: 'a.b', value: [1] },
        { type: 'merge', value: { m: true } },
        { type: 'decrement', path: 'n', by: 1 },
        { type: 'remove', path: 'm' },
      ])
      expect(r).toEqual({ old_value: { n: 2 }, new_value: { n: 1, a: { b: [1] } } })
      expect(await a.get('g', 'u')).toEqual({ n: 1, a: { b: [1] } })
    })

    test('an invalid op rejects with E_STATE_OP_INVALID and writes nothing, not even earlier ops', async () => {
      await a.set('g', 'v', { n: 'text', ok: 1 })
      const ops = [
        { type: 'increment', path: 'ok', by: 1 },
        { type: 'increment', path: 'n', by: 1 },
      ] as const
      await expect(a.update('g', 'v', ops)).rejects.toMatchObject({
        code: 'E_STATE_OP_INVALID',
        message: expect.stringContaining('ops[1]'),
      })
      expect(await a.get('g', 'v')).toEqual({ n: 'text', ok: 1 })
      await expect(a.update('g', 'fresh', [{ type: 'nope' } as never])).rejects.toMatchObject({
        code: 'E_STATE_OP_INVALID',
      })
      expect(await a.get('g', 'fresh')).toBeNull()
      // The adapter still works after a rejected update.
      expect((await a.update('g', 'v', [{ type: 'increment', path: 'ok', by: 1 }])).new_value).toEqual({
        n: 'text',
        ok: 2,
      })
    })

    test('delete returns the old value, then get is null; deleting a missing key returns null', async () => {
      await a.set('g', 'd', { x: 1 })
      expect(await a.delete('g', 'd')).toEqual({ x: 1 })
      expect(await a.get('g', 'd')).toBeNull()
      expect(await a.delete('g', 'd')).toBeNull()
      expect(await a.delete('nowhere', 'd')).toBeNull()
    })

    test('getGroup and entries are ordered by key (code point order); other groups stay apart', async () => {
      for (const [key, v] of [
        ['z', 3],
        ['a', 1],
        ['m', 2],
        ['B', 0],
      ] as const)
        await a.set('b', key, v)
      await a.set('c', 'k', 'other')
      expect(await a.getGroup('b')).toEqual([0, 1, 2, 3])
      expect(await a.entries('b')).toEqual([
        { key: 'B', value: 0 },
        { key: 'a', value: 1 },
        { key: 'm', value: 2 },
        { key: 'z', value: 3 },
      ])
      expect(await a.getGroup('empty')).toEqual([])
      expect(await a.entries('empty')).toEqual([])
      // Emoji are above U+FFFF: after U+FFFD in code point (UTF-8 byte) order, unlike JS's default sort.
      for (const key of ['😀', '\uFFFD', 'é']) await a.set('u', key, key)
      expect((await a.entries('u')).map((e) => e.key)).toEqual(['é', '\uFFFD', '😀'])
    })

    test('clear empties only that group; listGroups is sorted and only has groups with keys', async () => {
      expect(await a.listGroups()).toEqual([])
      await a.set('orders', 'o1', 1)
      await a.set('orders', 'o2', 2)
      await a.set('carts', 'c1', 1)
      await a.set('users', 'u1', 1)
      expect(await a.listGroups()).toEqual(['carts', 'orders', 'users'])
      await a.clear('orders')
      expect(await a.getGroup('orders')).toEqual([])
      expect(await a.get('carts', 'c1')).toBe(1)
      await a.delete('users', 'u1')
      expect(await a.listGroups()).toEqual(['carts'])
      await a.clear('never-existed')
      expect(await a.listGroups()).toEqual(['carts'])
    })

    test('values are copies: mutating what was passed or returned changes nothing stored', async () => {
      const v = { list: [1] }
      const r = await a.set<{ list: number[] }>('g', 'c', v)
      v.list.push(2)
      r.new_value!.list.push(3)
      ;(await a.get<{ list: number[] }>('g', 'c'))!.list.push(4)
      ;(await a.getGroup<{ list: number[] }>('g'))[0]!.list.push(5)
      ;(await a.entries<{ list: number[] }>('g'))[0]!.value.list.push(6)
      const u = await a.update<{ list: number[] }>('g', 'c', [{ type: 'set', path: 'x', value: 1 }])
      u.old_value!.list.push(7)
      u.new_value!.list.push(8)
      expect(await a.get('g', 'c')).toEqual({ list: [1], x: 1 })
    })

    test('unicode, nesting and scalars round-trip as JSON', async () => {
      const v = { s: 'héllo ✓ 日本 😀 "quoted" \\ \n', deep: { a: [{ b: null, c: true, d: 1.5, e: -0.25e-10 }] } }
      await a.set('ü', 'ключ 🔑', v)
      expect(await a.get('ü', 'ключ 🔑')).toEqual(v)
      for (const scalar of [0, 'text', false, [1, 'two']]) {
        await a.set('g', 'scalar', scalar)
        expect(await a.get('g', 'scalar')).toEqual(scalar)
      }
      // As JSON: undefined fields are dropped, dates become strings.
      await a.set('g', 'json', { gone: undefined, at: new Date(0) })
      expect(await a.get('g', 'json')).toEqual({ at: '1970-01-01T00:00:00.000Z' })
    })

    test('200 concurrent updates of one key lose nothing', async () => {
      const results = await Promise.all(Array.from({ length: 200 }, () => a.update('g', 'hits', [increment])))
      expect(await a.get('g', 'hits')).toEqual({ n: 200 })
      // Each update saw a distinct old value: no two read the same one.
      const seen = new Set(results.map((r) => (r.old_value as { n: number } | null)?.n ?? 0))
      expect(seen.size).toBe(200)
    })

    // Adapters without shared storage (memory) declare it by leaving caps.openAgain unset: the
    // persistence tests are not registered for them at all (CI runs no skipped tests).
    const shared = caps.openAgain ? test : (_title: string, _fn: () => Promise<void>) => {}

    shared('values survive close and reopen', async () => {
      await a.set('orders', 'o1', { total: 3 })
      await a.close()
      a = await caps.openAgain!()
      expect(await a.get('orders', 'o1')).toEqual({ total: 3 })
      expect(await a.listGroups()).toEqual(['orders'])
    })

    shared('two adapters on one storage see each other and lose no concurrent update', async () => {
      const b = await caps.openAgain!()
      try {
        await a.set('g', 'seen', 'from a')
        expect(await b.get('g', 'seen')).toBe('from a')
        await Promise.all(
          Array.from({ length: 200 }, () => [a.update('g', 'k', [increment]), b.update('g', 'k', [increment])]).flat(),
        )
        expect(await a.get('g', 'k')).toEqual({ n: 400 })
        expect(await b.get('g', 'k')).toEqual({ n: 400 })
      } finally {
        await b.close()
      }
    })
  })
}
