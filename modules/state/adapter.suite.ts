import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import type { StateAdapter } from './adapter'

/** The conformance suite every StateAdapter passes. */
export function stateAdapterSuite(name: string, make: () => StateAdapter | Promise<StateAdapter>): void {
  describe(`StateAdapter: ${name}`, () => {
    let a: StateAdapter
    beforeEach(async () => {
      a = await make()
    })
    afterEach(async () => {
      await a.close()
    })

    test('get of a missing key is null; set returns old and new values', async () => {
      expect(await a.get('g', 'k')).toBeNull()
      expect(await a.set('g', 'k', { n: 1 })).toEqual({ old_value: null, new_value: { n: 1 } })
      expect(await a.set('g', 'k', { n: 2 })).toEqual({ old_value: { n: 1 }, new_value: { n: 2 } })
      expect(await a.get('g', 'k')).toEqual({ n: 2 })
    })

    test('update creates from {} and applies ops atomically', async () => {
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
    })

    test('an invalid op rejects and leaves the value unchanged', async () => {
      await a.set('g', 'v', { n: 'text' })
      await expect(a.update('g', 'v', [{ type: 'increment', path: 'n', by: 1 }])).rejects.toMatchObject({
        code: 'E_STATE_OP_INVALID',
      })
      expect(await a.get('g', 'v')).toEqual({ n: 'text' })
    })

    test('delete returns the old value; deleting twice returns null', async () => {
      await a.set('g', 'd', 'x')
      expect(await a.delete('g', 'd')).toBe('x')
      expect(await a.delete('g', 'd')).toBeNull()
      expect(await a.get('g', 'd')).toBeNull()
    })

    test('groups: values ordered by key, entries, clear one group, list groups', async () => {
      await a.set('b', 'z', 3)
      await a.set('b', 'a', 1)
      await a.set('b', 'm', 2)
      await a.set('c', 'k', 'other')
      expect(await a.getGroup('b')).toEqual([1, 2, 3])
      expect(await a.entries('b')).toEqual([
        { key: 'a', value: 1 },
        { key: 'm', value: 2 },
        { key: 'z', value: 3 },
      ])
      expect(await a.listGroups()).toEqual(['b', 'c'])
      await a.clear('b')
      expect(await a.getGroup('b')).toEqual([])
      expect(await a.listGroups()).toEqual(['c'])
    })

    test('values are copies: mutating what was passed or returned changes nothing', async () => {
      const v = { list: [1] }
      await a.set('g', 'c', v)
      v.list.push(2)
      const got = (await a.get<{ list: number[] }>('g', 'c'))!
      got.list.push(3)
      expect(await a.get('g', 'c')).toEqual({ list: [1] })
    })

    test('unicode, nesting and scalars round-trip', async () => {
      const v = { s: 'héllo ✓ 日本', deep: { a: [{ b: null, c: true, d: 1.5 }] } }
      await a.set('ü', 'ключ', v)
      expect(await a.get('ü', 'ключ')).toEqual(v)
      await a.set('g', 'n', 0)
      expect(await a.get('g', 'n')).toBe(0)
    })

    test('200 concurrent increments of one key lose nothing', async () => {
      await Promise.all(
        Array.from({ length: 200 }, () => a.update('g', 'hits', [{ type: 'increment', path: 'n', by: 1 }])),
      )
      expect(await a.get('g', 'hits')).toEqual({ n: 200 })
    })
  })
}
