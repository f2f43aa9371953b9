import { MotiaError } from '../../runtime/errors'
import type { UpdateOp } from '../../sdk/types'

type Container = Record<string, unknown> | unknown[]

/** Where an op is and what it does, for messages: `ops[2]: increment at "a.b": ...`. */
interface OpSite {
  at: string
  type: string
  path: string
}

const OP_TYPES = new Set(['set', 'merge', 'increment', 'decrement', 'remove'])
// Writing through these would reach Object.prototype (prototype pollution) instead of the value.
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype'])
const INDEX = /^(0|[1-9]\d*)$/

/**
 * Applies UpdateOps in order and returns the new value; `current` (`{}` when null or missing)
 * and the ops are never mutated, and the result shares no object with either, so adapters can
 * hand out both the old and the new value. Paths are dot paths (`a.b.0.c`, numeric segments
 * index arrays). An op that is malformed or does not fit the value throws E_STATE_OP_INVALID
 * naming the op, so a failed update writes nothing.
 */
export function applyUpdateOps(current: unknown, ops: readonly UpdateOp[]): unknown {
  if (!Array.isArray(ops)) throw invalid(`ops must be an array of UpdateOp, got ${describe(ops)}`)
  // One deep copy up front: values are small JSON documents and the copy lets every op below
  // write in place.
  let root: unknown = current === null || current === undefined ? {} : structuredClone(current)
  for (let i = 0; i < ops.length; i++) root = applyOp(root, ops[i], `ops[${i}]`)
  return root
}

function applyOp(root: unknown, op: unknown, at: string): unknown {
  if (!isPlainObject(op)) throw invalid(`${at}: expected an UpdateOp object, got ${describe(op)}`)
  const type = op.type
  if (typeof type !== 'string' || !OP_TYPES.has(type)) {
    throw invalid(
      `${at}: unknown op type ${JSON.stringify(type)} (expected set, merge, increment, decrement or remove)`,
    )
  }
  const rootMerge = type === 'merge' && (op.path === undefined || op.path === '')
  const site: OpSite = { at, type, path: rootMerge ? '' : (op.path as string) }
  const keys = rootMerge ? [] : parsePath(op.path, site)

  switch (type) {
    case 'set': {
      if (op.value === undefined) throw invalid(`${at}: set needs a "value" (use remove to delete a key)`)
      const value = structuredClone(op.value)
      return writeAt(root, keys, site, () => value)
    }
    case 'merge': {
      const patch = op.value
      if (!isPlainObject(patch)) throw invalid(`${at}: merge needs an object "value", got ${describe(patch)}`)
      for (const k of Object.keys(patch)) {
        if (FORBIDDEN.has(k)) throw invalid(`${at}: merge value key "${k}" is not allowed`)
      }
      const copy = structuredClone(patch)
      return writeAt(root, keys, site, (prev) => {
        if (prev === undefined || prev === null) return copy
        if (!isPlainObject(prev)) throw invalid(`${atPath(site)} needs an object there, found ${describe(prev)}`)
        return Object.assign(prev, copy)
      })
    }
    case 'increment':
    case 'decrement': {
      const by = op.by
      if (typeof by !== 'number' || !Number.isFinite(by)) {
        throw invalid(`${at}: ${type} needs a numeric "by", got ${describe(by)}`)
      }
      return writeAt(root, keys, site, (prev) => {
        const n = prev ?? 0 // missing or null counts as 0
        if (typeof n !== 'number') throw invalid(`${atPath(site)} needs a number there, found ${describe(n)}`)
        return type === 'increment' ? n + by : n - by
      })
    }
    default:
      removeAt(root, keys, site)
      return root
  }
}

function parsePath(path: unknown, site: OpSite): string[] {
  if (typeof path !== 'string' || path === '') {
    throw invalid(`${site.at}: ${site.type} needs a "path" string, got ${describe(path)}`)
  }
  const keys = path.split('.')
  for (const k of keys) {
    if (k === '') throw invalid(`${site.at}: path "${path}" has an empty segment`)
    if (FORBIDDEN.has(k)) throw invalid(`${site.at}: path "${path}" has the forbidden segment "${k}"`)
  }
  return keys
}

/** Replaces the value at `keys` with `update(previous)`, creating missing objects on the way. */
function writeAt(root: unknown, keys: readonly string[], site: OpSite, update: (prev: unknown) => unknown): unknown {
  if (keys.length === 0) return update(root)
  if (!isContainer(root)) throw invalid(`${atPath(site)}: the value is ${describe(root)}, not an object`)
  let cur: Container = root
  for (let n = 0; n < keys.length - 1; n++) {
    const slot = slotOf(cur, keys, n, site)
    let next = read(cur, slot)
    if (next === undefined || next === null) {
      next = {}
      write(cur, slot, next)
    } else if (!isContainer(next)) {
      throw invalid(`${atPath(site)}: "${keys.slice(0, n + 1).join('.')}" is ${describe(next)}, not an object`)
    }
    cur = next as Container
  }
  const slot = slotOf(cur, keys, keys.length - 1, site)
  write(cur, slot, update(read(cur, slot)))
  return root
}

/** Deletes the key at `keys`; a path that leads nowhere is a no-op. Array items are spliced out. */
function removeAt(root: unknown, keys: readonly string[], site: OpSite): void {
  let cur = root
  for (let n = 0; n < keys.length - 1; n++) {
    if (!isContainer(cur)) return
    cur = read(cur, slotOf(cur, keys, n, site, false))
  }
  if (!isContainer(cur)) return
  const slot = slotOf(cur, keys, keys.length - 1, site, false)
  if (Array.isArray(cur)) {
    if ((slot as number) < cur.length) cur.splice(slot as number, 1)
  } else delete cur[slot]
}

/** The property for `keys[n]` in `c`: an index for arrays, the key for objects. */
function slotOf(c: Container, keys: readonly string[], n: number, site: OpSite, writing = true): string | number {
  const k = keys[n]!
  if (!Array.isArray(c)) return k
  const where = n === 0 ? 'the value' : `"${keys.slice(0, n).join('.')}"`
  if (!INDEX.test(k)) throw invalid(`${atPath(site)}: ${where} is an array and "${k}" is not an index`)
  const i = Number(k)
  // Writing past the end would leave holes, which JSON turns into nulls.
  if (writing && i > c.length)
    throw invalid(`${atPath(site)}: index ${i} is past the end of ${where} (length ${c.length})`)
  return i
}

// Own properties only: `a.toString` must read as missing, not as Object.prototype.toString.
function read(c: Container, slot: string | number): unknown {
  return Object.hasOwn(c, slot) ? (c as Record<string | number, unknown>)[slot] : undefined
}

function write(c: Container, slot: string | number, value: unknown): void {
  ;(c as Record<string | number, unknown>)[slot] = value
}

function isContainer(v: unknown): v is Container {
  return typeof v === 'object' && v !== null
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function describe(v: unknown): string {
  if (v === null) return 'null'
  if (v === undefined) return 'nothing'
  if (Array.isArray(v)) return 'an array'
  if (typeof v === 'object') return 'an object'
  if (typeof v === 'string') return `a string (${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)})`
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return `a ${typeof v} (${String(v)})`
  return `a ${typeof v}`
}

function atPath(site: OpSite): string {
  return site.path === '' ? `${site.at}: ${site.type} at the root` : `${site.at}: ${site.type} at "${site.path}"`
}

function invalid(message: string): MotiaError {
  return new MotiaError('E_STATE_OP_INVALID', message)
}
