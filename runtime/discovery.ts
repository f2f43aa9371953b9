import { readdirSync } from 'node:fs'
import { join } from 'node:path'

export interface ProjectFiles {
  steps: string[]
  streams: string[]
}

/** Folders steps live in, relative to the project root. */
export const STEP_ROOTS = ['steps', 'src'] as const

const STEP_FILE = /(\.step|_step)\.(ts|js|mts|mjs)$/
const STREAM_FILE = /(\.stream|_stream)\.(ts|js|mts|mjs)$/

export function isStepFile(path: string): boolean {
  return STEP_FILE.test(path)
}

export function isStreamFile(path: string): boolean {
  return STREAM_FILE.test(path)
}

/**
 * Finds step and stream files under `steps/` and `src/` at any depth (skipping node_modules and
 * dot folders), sorted so load order and error lists are stable.
 */
export function discoverProject(dir: string): ProjectFiles {
  const steps: string[] = []
  const streams: string[] = []
  for (const root of STEP_ROOTS) walk(join(dir, root), steps, streams)
  return { steps: steps.sort(), streams: streams.sort() }
}

function walk(dir: string, steps: string[], streams: string[]): void {
  let entries: import('node:fs').Dirent[]
  try {
    entries = readdirSync(dir, { withFileTypes: true })
  } catch {
    return
  }
  for (const e of entries) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue
    const path = join(dir, e.name)
    if (e.isDirectory()) walk(path, steps, streams)
    else if (STEP_FILE.test(e.name)) steps.push(path)
    else if (STREAM_FILE.test(e.name)) streams.push(path)
  }
}
