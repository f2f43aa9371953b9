import { MotiaError } from '../../runtime/errors'
import type { UpdateOp } from '../../sdk/types'

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype'])

/**
 * Applies UpdateOps in order to a copy of `current` (`{}` when missing) and returns the new
 * value; `current` is never mutated. Paths are dot paths (`a.b.0.c`). A malformed op or one
 * that does not fit the value throws E_STATE_OP_INVALID naming the op.
 */
export function applyUpdateOps(current: unknown, ops: readonly UpdateOp[]): unknown {
  if (!Array.isArray(ops)) throw invalid('ops must be an array of UpdateOp')
  let root: unknown = current === null || current === undefined ? {} : structuredClone(current)
  ops.forEach((op, i) => {
    if (!op || typeof op !== 'object') throw invalid(`ops[${i}]: expected an UpdateOp object`)
    const keys = op.type === 'merge' && (op.path === undefined || op.path === '') ? [] : parsePath(op.path, i)
    switch (op.type) {
      case 'set':
        root = setAt(root, keys, structuredClone(op.value), i)
        break
      case 'merge': {
        if (!op.value || typeof op.value !== 'object' || Array.isArray(op.value)) {
          throw invalid(`ops[${i}]: merge needs an object "value"`)
        }
        const target = getAt(root, keys)
        const base = target && typeof target === 'object' && !Array.isArray(target) ? target : {}
        root = setAt(root, keys, { ...(base as object), ...structuredClone(op.value) }, i)
        break
      }
      case 'increment':
      case 'decrement': {
        if (typeof op.by !== 'number' || !Number.isFinite(op.by))
          throw invalid(`ops[${i}]: ${op.type} needs a numeric "by"`)
        const prev = getAt(root, keys) ?? 0
        if (typeof prev !== 'number') {
          throw invalid(`ops[${i}]: ${op.type} at "${op.path}" needs a number there, found ${typeof prev}`)
        }
        root = setAt(root, keys, op.type === 'increment' ? prev + op.by : prev - op.by, i)
        break
      }
      case 'remove': {
        const parent = getAt(root, keys.slice(0, -1))
        const last = keys[keys.length - 1]!
        if (Array.isArray(parent) && /^\d+$/.test(last)) parent.splice(Number(last), 1)
        else if (parent && typeof parent === 'object') delete (parent as Record<string, unknown>)[last]
        break
      }
      default:
        throw invalid(
          `ops[${i}]: unknown op type ${JSON.stringify((op as { type?: unknown }).type)} (expected set, merge, increment, decrement or remove)`,
        )
    }
  })
  return root
}

function parsePath(path: unknown, i: number): string[] {
  if (typeof path !== 'string' || path === '') throw invalid(`ops[${i}]: needs a "path" string`)
  const keys = path.split('.')
  for (const k of keys) {
    if (k === '' || FORBIDDEN.has(k)) throw invalid(`ops[${i}]: path "${path}" is not allowed`)
  }
  return keys
}

function getAt(root: unknown, keys: readonly string[]): unknown {
  let cur = root
  for (const k of keys) {
    if (!cur || typeof cur !== 'object') return undefined
    cur = (cur as Record<string, unknown>)[k]
  }
  return cur
}

function setAt(root: unknown, keys: readonly string[], value: unknown, i: number): unknown {
  if (keys.length === 0) return value
  const top = root && typeof root === 'object' ? root : {}
  let cur = top as Record<string, unknown>
  for (let n = 0; n < keys.length - 1; n++) {
    const k = keys[n]!
    const next = cur[k]
    if (next === undefined || next === null) cur[k] = {}
    else if (typeof next !== 'object')
      throw invalid(`ops[${i}]: "${keys.slice(0, n + 1).join('.')}" is a ${typeof next}, not an object`)
    cur = cur[k] as Record<string, unknown>
  }
  cur[keys[keys.length - 1]!] = value
  return top
}

function invalid(message: string): MotiaError {
  return new MotiaError('E_STATE_OP_INVALID', message)
}
