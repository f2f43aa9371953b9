import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

import type { BuildInfo } from './build-info'

/** Who wrote `.motia/runtime`: the binary's identity (version, commit, date, target), path and file at that moment. */
export interface RuntimeOrigin extends BuildInfo {
  binary: string
  size: number
  mtimeMs: number
}

export const ORIGIN_FILE = 'origin.json'

/** A message when the binary that wrote `runtimeDir` has changed since (an upgrade in place). */
export function staleness(runtimeDir: string): string | undefined {
  const file = join(runtimeDir, ORIGIN_FILE)
  if (!existsSync(file)) return undefined
  try {
    const origin = JSON.parse(readFileSync(file, 'utf8')) as RuntimeOrigin
    if (!existsSync(origin.binary)) return undefined
    const now = statSync(origin.binary)
    if (now.size === origin.size && Math.trunc(now.mtimeMs) === Math.trunc(origin.mtimeMs)) return undefined
    return `motia: .motia/runtime was written by motia ${origin.version} (${origin.binary}), which has changed since: run \`motia install\` to refresh it`
  } catch {
    return undefined
  }
}
