import { readdirSync, readlinkSync, realpathSync, statSync } from 'node:fs'
import { join } from 'node:path'

export interface ProjectFiles {
  steps: string[]
  streams: string[]
  /** `*_step.py` / `*.step.py` files. */
  python: string[]
  /** Real paths of the symbolic links followed (they stay inside the project): watch these too. */
  linkTargets: string[]
  /** Links that lead out of the project (or nowhere): not followed, not loaded, not watched. */
  skippedLinks: { path: string; target: string }[]
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
 * dot folders), sorted so load order and error lists are stable. Symbolic links are followed
 * only while they stay inside the project (each folder once, so a link loop ends): a link to
 * `/usr/share` would otherwise be walked, watched and loaded. The dev watcher uses the same
 * rule, so what is loaded is what is watched and reloaded.
 */
export function discoverProject(dir: string): ProjectFiles {
  const files: ProjectFiles = { steps: [], streams: [], python: [], linkTargets: [], skippedLinks: [] }
  const walker = { root: realOrSelf(dir), seen: new Set<string>(), files }
  for (const root of STEP_ROOTS) walk(walker, join(dir, root))
  return {
    ...files,
    steps: files.steps.sort(),
    streams: files.streams.sort(),
    python: files.python.sort(),
  }
}

interface Walker {
  root: string
  seen: Set<string>
  files: ProjectFiles
}

function walk(w: Walker, dir: string): void {
  const real = realOrSelf(dir)
  if (w.seen.has(real)) return
  w.seen.add(real)
  let entries: import('node:fs').Dirent[]
  try {
    entries = readdirSync(dir, { withFileTypes: true })
  } catch {
    return
  }
  for (const e of entries) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue
    const path = join(dir, e.name)
    let isDir = e.isDirectory()
    if (e.isSymbolicLink()) {
      const target = linkTarget(path)
      if (!target || (target !== w.root && !target.startsWith(`${w.root}/`))) {
        w.files.skippedLinks.push({ path, target: target ?? readlinkOrEmpty(path) })
        continue
      }
      w.files.linkTargets.push(target)
      isDir = statSync(target).isDirectory()
    }
    if (isDir) walk(w, path)
    else if (STEP_FILE.test(e.name)) w.files.steps.push(path)
    else if (STREAM_FILE.test(e.name)) w.files.streams.push(path)
    else if (PYTHON_STEP_FILE.test(e.name)) w.files.python.push(path)
  }
}

function realOrSelf(path: string): string {
  return linkTarget(path) ?? path
}

/** The real path, or undefined when it leads nowhere. */
function linkTarget(path: string): string | undefined {
  try {
    return realpathSync(path)
  } catch {
    return undefined
  }
}

function readlinkOrEmpty(path: string): string {
  try {
    return readlinkSync(path)
  } catch {
    return ''
  }
}
