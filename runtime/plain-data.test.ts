import { describe, expect, test } from 'bun:test'
import { loggable, unstorableArgument } from './plain-data'

const HINT = 'cannot be stored; use plain data (objects, arrays, strings, numbers, booleans, null)'
const problem = (call: string, names: string[], args: unknown[]) => {
  const e = unstorableArgument(call, names, args)
  return e && { code: e.code, message: e.message, details: e.details }
}

describe('unstorableArgument', () => {
  test('plain data passes: scalars, nested objects and arrays, dates, null-prototype objects, shared refs', () => {
    const shared = { a: 1 }
    const value = {
      s: 'x',
      n: Number.NaN,
      b: true,
      u: undefined,
      z: null,
      d: new Date(0),
      list: [1, [2, { deep: 'yes' }], shared, shared],
      bare: Object.create(null),
    }
    expect(unstorableArgument('state.set', ['groupId', 'key', 'value'], ['g', 'k', value])).toBeUndefined()
  })

  test('names the call, the argument and the path down to the offending part', () => {
    /** A method as an own field (an arrow function): it is data a clone would have to carry. */
    class Handler {
      handle = () => 1
    }
    /** A query builder's lazy promise, as ORMs return. */
    class Query {
      // biome-ignore lint/suspicious/noThenProperty: a thenable that is not a Promise is the case tested
      then() {}
    }
    const cycle: Record<string, unknown> = { a: 1 }
    cycle.self = cycle
    expect(problem('state.set', ['groupId', 'key', 'value'], ['g', 'k', { result: Promise.resolve(1) }])).toEqual({
      code: 'E_VALUE_NOT_STORABLE',
      message: `state.set: value.result: a Promise (missing await?) ${HINT}`,
      details: { call: 'state.set', path: 'value.result' },
    })
    const cases: [string, string[], unknown[], string][] = [
      [
        'enqueue',
        [''],
        [{ topic: 't', data: { items: [{ f: () => 1 }] } }],
        'enqueue: data.items[0].f: a function (f)',
      ],
      ['enqueue', [''], [{ topic: 't', data: { 'a b': Symbol('s') } }], 'enqueue: data["a b"]: a Symbol (Symbol(s))'],
      [
        'state.update',
        ['groupId', 'key', 'ops'],
        ['g', 'k', [{ value: 2n }]],
        'state.update: ops[0].value: a BigInt (2n)',
      ],
      [
        'streams.x.set',
        ['groupId', 'id', 'data'],
        ['g', 'i', new Handler()],
        'streams.x.set: data.handle: a function (handle)',
      ],
      [
        'streams.x.set',
        ['groupId', 'id', 'data'],
        ['g', 'i', { m: new Map() }],
        'streams.x.set: data.m: a Map (JSON would store {})',
      ],
      [
        'state.set',
        ['groupId', 'key', 'value'],
        ['g', 'k', [new Error('x')]],
        'state.set: value[0]: an Error (store its message)',
      ],
      ['state.set', ['groupId', 'key', 'value'], ['g', 'k', cycle], 'state.set: value.self: a circular reference'],
      ['state.get', ['groupId', 'key'], [Symbol('g'), 'k'], 'state.get: groupId: a Symbol (Symbol(g))'],
      [
        'state.set',
        ['groupId', 'key', 'value'],
        ['g', 'k', { q: new Query() }],
        'state.set: value.q: a Promise (missing await?)',
      ],
    ]
    expect(cases.map(([call, names, args]) => unstorableArgument(call, names, args)?.message)).toEqual(
      cases.map(([, , , want]) => `${want} ${HINT}`),
    )
  })

  test('stored as JSON stores them: class instances as their fields, toJSON objects as its result', () => {
    class Money {
      amount = 1
      add() {}
    }
    class Decimal {
      constructor(private readonly digits: string) {}
      toJSON() {
        return this.digits
      }
    }
    const args: unknown[] = ['g', 'k', { price: new Decimal('9.99'), money: new Money(), at: new Date(0) }]
    expect(unstorableArgument('state.set', ['groupId', 'key', 'value'], args)).toBeUndefined()
    expect(args[2]).toEqual({ price: '9.99', money: { amount: 1 }, at: '1970-01-01T00:00:00.000Z' })
    const plain = { a: [1, { b: 2 }] }
    const same: unknown[] = ['g', 'k', plain]
    unstorableArgument('state.set', ['groupId', 'key', 'value'], same)
    expect(same[2]).toBe(plain)
  })
})

describe('loggable', () => {
  test('fields a log line can carry are returned as they are, not copied', () => {
    const fields = { n: 1, s: 'x', nested: { list: [1, 2], d: new Date(0) }, big: 1n }
    expect(loggable(fields)).toBe(fields)
  })

  test('what cannot travel becomes a placeholder; class instances keep their fields; the input is not changed', () => {
    class A {
      x = 1
      m() {}
    }
    const cycle: Record<string, unknown> = { a: 1 }
    cycle.self = cycle
    const fields = {
      p: Promise.resolve(1),
      f: function foo() {},
      anon: (
        () => () =>
          1
      )(),
      s: Symbol('s'),
      a: new A(),
      nested: { list: [1, Promise.resolve(2)], err: new TypeError('bad') },
      map: new Map([[1, 2]]),
      url: new URL('https://example.com/x'),
      cycle,
    }
    const out = loggable(fields) as any
    expect({
      ...out,
      nested: { ...out.nested, err: { ...out.nested.err, stack: typeof out.nested.err.stack } },
    }).toEqual({
      p: '[Promise]',
      f: '[Function foo]',
      anon: '[Function]',
      s: '[Symbol(s)]',
      a: { x: 1 },
      nested: { list: [1, '[Promise]'], err: { name: 'TypeError', message: 'bad', stack: 'string' } },
      map: '[Map]',
      url: 'https://example.com/x',
      cycle: { a: 1, self: '[Circular]' },
    })
    expect(fields.p).toBeInstanceOf(Promise)
    expect(structuredClone(out)).toBeDefined()
  })
})
