import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { MotiaError } from '../../runtime/errors'
import type { StreamAuthHooks } from './auth'

const FILES = ['motia.config.ts', 'motia.config.js', 'motia.config.mts', 'motia.config.mjs']

/**
 * Reads the stream hooks of `<dir>/motia.config.ts|js`, when there is one: 1.x named export
 * `authenticateStream`, 0.x default export `{ streamAuth }` (from `defineConfig`). The file
 * imports `motia`, so `registerBuiltinModules()` must have run (every entry point does).
 */
export async function loadProjectHooks(dir: string): Promise<StreamAuthHooks> {
  const file = FILES.map((f) => join(dir, f)).find((f) => existsSync(f))
  if (!file) return {}
  let mod: Record<string, unknown>
  try {
    mod = (await import(file)) as Record<string, unknown>
  } catch (err) {
    throw new MotiaError(
      'E_STEP_LOAD',
      `${file.slice(dir.length + 1)} could not be imported: ${(err as Error).message}`,
      {
        cause: err,
      },
    )
  }
  const hooks: StreamAuthHooks = {}
  const named = mod.authenticateStream
  const legacy = (mod.default as { streamAuth?: unknown; authenticateStream?: unknown } | undefined) ?? undefined
  const authenticateStream = typeof named === 'function' ? named : legacy?.authenticateStream
  if (typeof authenticateStream === 'function') hooks.authenticateStream = authenticateStream as never
  const streamAuth = legacy?.streamAuth as StreamAuthHooks['streamAuth'] | undefined
  if (streamAuth && typeof streamAuth.authenticate === 'function') hooks.streamAuth = streamAuth
  return hooks
}
