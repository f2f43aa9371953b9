import { AsyncLocalStorage } from 'node:async_hooks'
import type { StepContext } from './context'
import { MotiaError } from './errors'

/**
 * The execution a piece of step code runs in. Module-level SDK calls (`logger`, `enqueue`,
 * `stateManager`, `new Stream()`) read it so they act on the current step and trace without
 * being passed a ctx.
 */
const storage = new AsyncLocalStorage<StepContext>()

/** Runs `fn(...args)` in `ctx`'s execution (arguments passed through: no closure per call). */
export function runInExecution<A extends unknown[], T>(ctx: StepContext, fn: (...args: A) => T, ...args: A): T {
  return storage.run(ctx, fn, ...args)
}

export function currentExecution(): StepContext | undefined {
  return storage.getStore()
}

export function requireExecution(what: string): StepContext {
  const ctx = storage.getStore()
  if (!ctx) {
    throw new MotiaError(
      'E_NOT_IN_EXECUTION',
      `${what} was called outside a step execution; call it from a handler (or code a handler calls)`,
    )
  }
  return ctx
}
