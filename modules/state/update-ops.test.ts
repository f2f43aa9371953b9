import { describe, expect, test } from 'bun:test'
import type { UpdateOp } from '../../sdk/types'
import { applyUpdateOps } from './update-ops'

describe('applyUpdateOps', () => {
  test('starts from {} and never mutates its input', () => {
    const before = { a: { n: 1 } }
    const after = applyUpdateOps(before, [{ type: 'increment', path: 'a.n', by: 1 }])
    expect(after).toEqual({ a: { n: 2 } })
    expect(before).toEqual({ a: { n: 1 } })
    expect(applyUpdateOps(null, [{ type: 'set', path: 'x', value: 1 }])).toEqual({ x: 1 })
  })

  test('set creates intermediate objects; merge at root and at a path; decrement; remove', () => {
    const ops: UpdateOp[] = [
      { type: 'set', path: 'a.b.c', value: 1 },
      { type: 'merge', value: { top: true } },
      { type: 'merge', path: 'a.b', value: { d: 2 } },
      { type: 'decrement', path: 'count', by: 3 },
      { type: 'set', path: 'list', value: [1, 2, 3] },
      { type: 'remove', path: 'list.1' },
      { type: 'remove', path: 'missing.key' },
    ]
    expect(applyUpdateOps({}, ops)).toEqual({ a: { b: { c: 1, d: 2 } }, top: true, count: -3, list: [1, 3] })
  })

  test('malformed ops name the op and what was expected', () => {
    const bad = (ops: unknown[]) => () => applyUpdateOps({ s: 'x' }, ops as UpdateOp[])
    expect(bad([{ type: 'increment', path: 'n' }])).toThrow('ops[0]: increment needs a numeric "by"')
    expect(
      bad([
        { type: 'set', path: 'a', value: 1 },
        { type: 'increment', path: 's', by: 1 },
      ]),
    ).toThrow('ops[1]: increment at "s" needs a number there, found string')
    expect(bad([{ type: 'explode', path: 'a' }])).toThrow('ops[0]: unknown op type "explode"')
    expect(bad([{ type: 'set', value: 1 }])).toThrow('ops[0]: needs a "path" string')
    expect(bad([{ type: 'set', path: '__proto__.polluted', value: 1 }])).toThrow('is not allowed')
    expect(bad([{ type: 'merge', value: 3 }])).toThrow('merge needs an object "value"')
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})
