/**
 * What a handler's values may be when they leave it. State, stream items and messages are
 * stored as JSON, and from a step worker they are posted to the engine thread first, where a
 * value that cannot be cloned (a Promise, a function) would take the worker down. So both
 * threads accept the same plain data and refuse the rest with the same error, before anything
 * is sent: one bad value fails its own call only. Log fields are never refused: what cannot
 * travel is replaced by a placeholder.
 */
import { MotiaError } from './errors'

type Key = string | number

interface Problem {
  what: string
  /** Keys from the value down to the offending part, innermost first. */
  at: Key[]
}

/**
 * The error for the first argument of `call` that cannot be stored as JSON without losing or
 * inventing data, or undefined. What JSON stores faithfully is accepted as Motia's JSON stores
 * took it: class instances as their own fields, objects with `toJSON` (Date, Buffer, decimal
 * and date libraries) as its result. Those with `toJSON` are replaced in `args` by their JSON
 * form, so a worker posts what the engine thread would have stored. Refused: Promises,
 * functions, Symbols, BigInts, Map/Set (JSON keeps `{}`), errors, circular references.
 * `names` name the arguments in the message; an empty name starts the path at the argument's
 * fields (`data.f` for `enqueue`).
 */
export function unstorableArgument(call: string, names: readonly string[], args: unknown[]): MotiaError | undefined {
  for (let i = 0; i < args.length; i++) {
    const v = args[i]
    // Ids and scalars, the common case, need no walk.
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v == null) continue
    const walk: Walk = { ancestors: [], json: false }
    const problem = find(v, walk)
    if (!problem) {
      if (walk.json) args[i] = JSON.parse(JSON.stringify(v))
      continue
    }
    const path = formatPath(names[i] ?? `arguments[${i}]`, problem.at)
    return new MotiaError(
      'E_VALUE_NOT_STORABLE',
      `${call}: ${path}: ${problem.what} cannot be stored; use plain data (objects, arrays, strings, numbers, booleans, null)`,
      { details: { call, path } },
    )
  }
  return undefined
}

interface Walk {
  ancestors: object[]
  /** An object with `toJSON` was met: the argument is sent in its JSON form. */
  json: boolean
}

const REFUSED: readonly [new (...a: any[]) => object, string][] = [
  [Map, 'a Map (JSON would store {})'],
  [Set, 'a Set (JSON would store {})'],
  [WeakMap, 'a WeakMap'],
  [WeakSet, 'a WeakSet'],
  [Error, 'an Error (store its message)'],
]

function find(value: unknown, walk: Walk): Problem | undefined {
  switch (typeof value) {
    case 'function':
      return { what: value.name ? `a function (${value.name})` : 'a function', at: [] }
    case 'symbol':
      return { what: `a Symbol (${String(value)})`, at: [] }
    case 'bigint':
      return { what: `a BigInt (${value}n)`, at: [] }
    case 'object':
      if (value === null) return undefined
      break
    default:
      return undefined
  }
  const array = Array.isArray(value)
  const { ancestors } = walk
  if (!array && !isPlainObject(value)) {
    if (isThenable(value)) return { what: 'a Promise (missing await?)', at: [] }
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
      walk.json = true
      return undefined
    }
    for (const [type, what] of REFUSED) if (value instanceof type) return { what, at: [] }
    // Any other class instance is stored as its own fields, as JSON and a structured clone keep.
  }
  if (ancestors.includes(value)) return { what: 'a circular reference', at: [] }
  ancestors.push(value)
  if (array) {
    for (let i = 0; i < value.length; i++) {
      const p = find(value[i], walk)
      if (p) return within(p, i)
    }
  } else {
    const record = value as Record<string, unknown>
    for (const k in record) {
      const p = find(record[k], walk)
      if (p) return within(p, k)
    }
  }
  ancestors.pop()
  return undefined
}

function within(p: Problem, key: Key): Problem {
  p.at.push(key)
  return p
}

/** Also plain: an object of another realm (its prototype's prototype is null). */
function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value)
  return proto === null || proto === Object.prototype || Object.getPrototypeOf(proto) === null
}

function isThenable(value: object): boolean {
  return value instanceof Promise || typeof (value as { then?: unknown }).then === 'function'
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/

function formatPath(root: string, at: readonly Key[]): string {
  let path = root
  for (let i = at.length - 1; i >= 0; i--) {
    const k = at[i]!
    if (typeof k === 'number') path += `[${k}]`
    else if (!IDENTIFIER.test(k)) path += `[${JSON.stringify(k)}]`
    else path += path === '' ? k : `.${k}`
  }
  return path === '' ? 'message' : path
}

/**
 * `value` with what a log line cannot carry to the engine thread or print replaced by a
 * readable placeholder (`[Function foo]`, `[Promise]`, `[Symbol(x)]`, `[Circular]`, `[Map]`);
 * errors become `{ name, message, stack }`, other class instances their own fields (what a
 * structured clone keeps). `value` itself when nothing needed replacing.
 */
export function loggable(value: unknown, ancestors: object[] = []): unknown {
  switch (typeof value) {
    case 'function':
      return value.name ? `[Function ${value.name}]` : '[Function]'
    case 'symbol':
      return `[${String(value)}]`
    case 'object':
      if (value === null) return value
      break
    default:
      return value
  }
  if (ancestors.includes(value)) return '[Circular]'
  if (Array.isArray(value)) return loggableItems(value, ancestors)
  if (isPlainObject(value)) return loggableFields(value as Record<string, unknown>, ancestors, value)
  if (value instanceof Date || value instanceof RegExp || ArrayBuffer.isView(value)) return value
  if (value instanceof ArrayBuffer) return value
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack }
  if (isThenable(value)) return '[Promise]'
  const json = (value as { toJSON?: unknown }).toJSON
  if (typeof json === 'function') {
    try {
      ancestors.push(value)
      return loggable(json.call(value), ancestors)
    } catch {
      return `[${describeName(value)}]`
    } finally {
      ancestors.pop()
    }
  }
  const fields = { ...value } as Record<string, unknown>
  return Object.keys(fields).length === 0 ? `[${describeName(value)}]` : loggableFields(fields, ancestors, value)
}

// Copy on write: fields that need no placeholder cost a walk, not an allocation.
function loggableItems(items: unknown[], ancestors: object[]): unknown[] {
  let out: unknown[] | undefined
  ancestors.push(items)
  for (let i = 0; i < items.length; i++) {
    const v = items[i]
    const w = loggable(v, ancestors)
    if (Object.is(v, w)) continue
    out ??= [...items]
    out[i] = w
  }
  ancestors.pop()
  return out ?? items
}

function loggableFields(fields: Record<string, unknown>, ancestors: object[], self: object): Record<string, unknown> {
  let out: Record<string, unknown> | undefined
  ancestors.push(self)
  for (const k in fields) {
    const v = fields[k]
    const w = loggable(v, ancestors)
    if (Object.is(v, w)) continue
    out ??= { ...fields }
    out[k] = w
  }
  ancestors.pop()
  return out ?? fields
}

function describeName(value: object): string {
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name
  return typeof name === 'string' && name !== '' ? name : 'Object'
}
