import { describe, expect, test } from 'bun:test'
import { MotiaError } from '../../runtime/errors'
import type { UpdateOp } from '../../sdk/types'
import { applyUpdateOps } from './update-ops'

const apply = (current: unknown, ...ops: unknown[]) => applyUpdateOps(current, ops as UpdateOp[])

/** The MotiaError an apply throws (fails the test when nothing is thrown). */
function failure(current: unknown, ...ops: unknown[]): MotiaError {
  try {
    apply(current, ...ops)
  } catch (err) {
    expect(err).toBeInstanceOf(MotiaError)
    expect((err as MotiaError).code).toBe('E_STATE_OP_INVALID')
    return err as MotiaError
  }
  throw new Error('expected applyUpdateOps to throw')
}

describe('applyUpdateOps: results', () => {
  test('null and undefined start from {}; no ops give an equal copy', () => {
    expect(apply(null, { type: 'set', path: 'x', value: 1 })).toEqual({ x: 1 })
    expect(apply(undefined, { type: 'increment', path: 'n', by: 2 })).toEqual({ n: 2 })
    const v = { a: [1, { b: 2 }] }
    const out = apply(v)
    expect(out).toEqual(v)
    expect(out).not.toBe(v)
  })

  test('never mutates the input, and the result shares no object with input or ops', () => {
    const before = { a: { n: 1 }, list: [{ x: 1 }], keep: { deep: { y: 1 } } }
    const value = { nested: [1] }
    const patch = { m: { z: 1 } }
    const after = apply(
      before,
      { type: 'increment', path: 'a.n', by: 1 },
      { type: 'remove', path: 'list.0' },
      { type: 'set', path: 'v', value },
      { type: 'merge', path: 'p', value: patch },
    ) as any
    expect(before).toEqual({ a: { n: 1 }, list: [{ x: 1 }], keep: { deep: { y: 1 } } })
    expect(after).toEqual({ a: { n: 2 }, list: [], keep: { deep: { y: 1 } }, v: { nested: [1] }, p: { m: { z: 1 } } })
    after.keep.deep.y = 9
    after.v.nested.push(2)
    after.p.m.z = 9
    expect(before.keep.deep.y).toBe(1)
    expect(value).toEqual({ nested: [1] })
    expect(patch).toEqual({ m: { z: 1 } })
  })

  test('set replaces values and creates intermediate objects, also through null', () => {
    expect(
      apply(
        { a: null, s: 1 },
        { type: 'set', path: 'a.b.c', value: 1 },
        { type: 'set', path: 's', value: { t: true } },
        { type: 'set', path: 'n', value: null },
      ),
    ).toEqual({ a: { b: { c: 1 } }, s: { t: true }, n: null })
  })

  test('numeric segments index arrays; index == length appends', () => {
    const v = { items: [{ qty: 1 }, { qty: 5 }] }
    expect(
      apply(
        v,
        { type: 'increment', path: 'items.1.qty', by: 2 },
        { type: 'set', path: 'items.0.name', value: 'first' },
        { type: 'set', path: 'items.2', value: { qty: 0 } },
      ),
    ).toEqual({ items: [{ qty: 1, name: 'first' }, { qty: 7 }, { qty: 0 }] })
    expect(apply({ grid: [[0, 0]] }, { type: 'set', path: 'grid.0.1', value: 5 })).toEqual({ grid: [[0, 5]] })
  })

  test('merge is shallow, at the root without path or with "", and creates the object at a path', () => {
    const v = { top: 1, a: { keep: 1, over: { old: true } } }
    expect(
      apply(
        v,
        { type: 'merge', value: { added: true } },
        { type: 'merge', path: '', value: { top: 2 } },
        { type: 'merge', path: 'a', value: { over: { new: true } } },
        { type: 'merge', path: 'x.y', value: { z: 1 } },
      ),
    ).toEqual({ top: 2, added: true, a: { keep: 1, over: { new: true } }, x: { y: { z: 1 } } })
  })

  test('increment and decrement: missing and null count as 0; fractions and negatives', () => {
    expect(
      apply(
        { n: 10, z: null },
        { type: 'increment', path: 'n', by: 5 },
        { type: 'decrement', path: 'n', by: 20 },
        { type: 'increment', path: 'fresh.count', by: 1 },
        { type: 'decrement', path: 'down', by: 2 },
        { type: 'increment', path: 'z', by: 0.5 },
        { type: 'increment', path: 'neg', by: -3 },
      ),
    ).toEqual({ n: -5, z: 0.5, fresh: { count: 1 }, down: -2, neg: -3 })
  })

  test('remove deletes keys and splices array items; missing paths are no-ops', () => {
    const v = { a: { b: 1, c: 2 }, list: [1, 2, 3], s: 'text' }
    expect(
      apply(
        v,
        { type: 'remove', path: 'a.b' },
        { type: 'remove', path: 'list.1' },
        { type: 'remove', path: 'list.9' },
        { type: 'remove', path: 'missing' },
        { type: 'remove', path: 'missing.deeper.key' },
        { type: 'remove', path: 's.length' },
      ),
    ).toEqual({ a: { c: 2 }, list: [1, 3], s: 'text' })
  })

  test('ops run in order, each seeing the previous result', () => {
    expect(
      apply(
        null,
        { type: 'set', path: 'n', value: 1 },
        { type: 'increment', path: 'n', by: 1 },
        { type: 'remove', path: 'n' },
        { type: 'increment', path: 'n', by: 1 },
      ),
    ).toEqual({ n: 1 })
  })

  test('inherited properties read as missing', () => {
    expect(apply({}, { type: 'increment', path: 'toString', by: 1 })).toEqual({ toString: 1 })
    expect(apply({}, { type: 'set', path: 'hasOwnProperty.x', value: 1 })).toEqual({ hasOwnProperty: { x: 1 } })
  })
})

describe('applyUpdateOps: malformed ops name the op and what was expected', () => {
  test('shape', () => {
    expect(() => applyUpdateOps({}, { type: 'set' } as unknown as UpdateOp[])).toThrow(
      'ops must be an array of UpdateOp, got an object',
    )
    expect(failure({}, 3).message).toBe('ops[0]: expected an UpdateOp object, got a number (3)')
    expect(failure({}, { type: 'set', path: 'a', value: 1 }, { type: 'explode', path: 'a' }).message).toBe(
      'ops[1]: unknown op type "explode" (expected set, merge, increment, decrement or remove)',
    )
    expect(failure({}, { path: 'a' }).message).toStartWith('ops[0]: unknown op type undefined')
    expect(failure({}, { type: 'set', value: 1 }).message).toBe('ops[0]: set needs a "path" string, got nothing')
    expect(failure({}, { type: 'remove', path: 7 }).message).toBe(
      'ops[0]: remove needs a "path" string, got a number (7)',
    )
    expect(failure({}, { type: 'set', path: 'a' }).message).toBe(
      'ops[0]: set needs a "value" (use remove to delete a key)',
    )
    expect(failure({}, { type: 'merge', value: 3 }).message).toBe(
      'ops[0]: merge needs an object "value", got a number (3)',
    )
    expect(failure({}, { type: 'merge', value: [1] }).message).toBe(
      'ops[0]: merge needs an object "value", got an array',
    )
  })

  test('"by" must be a finite number', () => {
    expect(failure({}, { type: 'increment', path: 'n' }).message).toBe(
      'ops[0]: increment needs a numeric "by", got nothing',
    )
    expect(failure({}, { type: 'decrement', path: 'n', by: '1' }).message).toBe(
      'ops[0]: decrement needs a numeric "by", got a string ("1")',
    )
    expect(failure({}, { type: 'increment', path: 'n', by: Number.NaN }).message).toStartWith(
      'ops[0]: increment needs a numeric "by"',
    )
    expect(failure({}, { type: 'increment', path: 'n', by: Number.POSITIVE_INFINITY }).message).toStartWith(
      'ops[0]: increment needs a numeric "by"',
    )
  })

  test('paths: empty segments and prototype keys are rejected', () => {
    expect(failure({}, { type: 'set', path: 'a..b', value: 1 }).message).toBe(
      'ops[0]: path "a..b" has an empty segment',
    )
    expect(failure({}, { type: 'set', path: 'a.', value: 1 }).message).toBe('ops[0]: path "a." has an empty segment')
    for (const bad of ['__proto__.polluted', 'a.constructor.prototype.polluted', 'x.prototype']) {
      expect(failure({}, { type: 'set', path: bad, value: 1 }).message).toContain('has the forbidden segment')
    }
    expect(failure({}, { type: 'remove', path: '__proto__' }).message).toContain('forbidden segment "__proto__"')
    expect(failure({}, { type: 'merge', value: JSON.parse('{"__proto__": {"polluted": 1}}') }).message).toBe(
      'ops[0]: merge value key "__proto__" is not allowed',
    )
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  test('ops that do not fit the value name the op, the path and what was found', () => {
    expect(
      failure({ s: 'x' }, { type: 'set', path: 'a', value: 1 }, { type: 'increment', path: 's', by: 1 }).message,
    ).toBe('ops[1]: increment at "s" needs a number there, found a string ("x")')
    expect(failure({ n: { deep: 1 } }, { type: 'decrement', path: 'n', by: 1 }).message).toBe(
      'ops[0]: decrement at "n" needs a number there, found an object',
    )
    expect(failure({ a: { b: true } }, { type: 'set', path: 'a.b.c', value: 1 }).message).toBe(
      'ops[0]: set at "a.b.c": "a.b" is a boolean (true), not an object',
    )
    expect(failure({ a: 5 }, { type: 'merge', path: 'a', value: {} }).message).toBe(
      'ops[0]: merge at "a" needs an object there, found a number (5)',
    )
    expect(failure({ a: [] }, { type: 'merge', path: 'a', value: {} }).message).toBe(
      'ops[0]: merge at "a" needs an object there, found an array',
    )
    expect(failure(5, { type: 'merge', value: { a: 1 } }).message).toBe(
      'ops[0]: merge at the root needs an object there, found a number (5)',
    )
    expect(failure('text', { type: 'set', path: 'a', value: 1 }).message).toBe(
      'ops[0]: set at "a": the value is a string ("text"), not an object',
    )
  })

  test('array paths need indexes within bounds', () => {
    expect(failure({ list: [1] }, { type: 'set', path: 'list.name', value: 1 }).message).toBe(
      'ops[0]: set at "list.name": "list" is an array and "name" is not an index',
    )
    expect(failure({ list: [1] }, { type: 'remove', path: 'list.01' }).message).toBe(
      'ops[0]: remove at "list.01": "list" is an array and "01" is not an index',
    )
    expect(failure({ list: [1] }, { type: 'set', path: 'list.3', value: 1 }).message).toBe(
      'ops[0]: set at "list.3": index 3 is past the end of "list" (length 1)',
    )
    expect(failure([1], { type: 'set', path: 'x', value: 1 }).message).toBe(
      'ops[0]: set at "x": the value is an array and "x" is not an index',
    )
  })
})
