import { readdirSync } from 'node:fs'
import { join } from 'node:path'

export interface ProjectFiles {
  steps: string[]
  streams: string[]
  /** `*_step.py` / `*.step.py` files. */
  python: string[]
}

/** Folders steps live in, relative to the project root. */
export const STEP_ROOTS = ['steps', 'src'] as const

const STEP_FILE = /(\.step|_step)\.(ts|js|mts|mjs)$/
const STREAM_FILE = /(\.stream|_stream)\.(ts|js|mts|mjs)$/
const PYTHON_STEP_FILE = /(\.step|_step)\.py$/

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
  const files: ProjectFiles = { steps: [], streams: [], python: [] }
  for (const root of STEP_ROOTS) walk(join(dir, root), files)
  return { steps: files.steps.sort(), streams: files.streams.sort(), python: files.python.sort() }
}

function walk(dir: string, files: ProjectFiles): void {
  let entries: import('node:fs').Dirent[]
  try {
    entries = readdirSync(dir, { withFileTypes: true })
  } catch {
    return
  }
  for (const e of entries) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue
    const path = join(dir, e.name)
    if (e.isDirectory()) walk(path, files)
    else if (STEP_FILE.test(e.name)) files.steps.push(path)
    else if (STREAM_FILE.test(e.name)) files.streams.push(path)
    else if (PYTHON_STEP_FILE.test(e.name)) files.python.push(path)
  }
}
