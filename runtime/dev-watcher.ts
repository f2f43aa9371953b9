import { type Stats, statSync } from 'node:fs'
import { relative, sep } from 'node:path'
import { discoverProject, STEP_ROOTS } from './discovery'
import { embeddedEntry } from './embedded-entries'
import type { StructuredLogger } from './logger'

declare const MOTIA_SPLIT_ENTRIES: boolean | undefined

export interface DevWatcherOptions {
  dir: string
  log: StructuredLogger
  /** A step, stream or project module under steps/ or src/ changed, was added or deleted. */
  onReload(files: string[]): Promise<unknown>
  /** config.yaml or motia.config.ts changed: the runtime must restart. */
  onRestart(file: string): Promise<unknown>
  /** Coalesces bursts of events (an editor's save can be several); 2 ms by default: the events of one save come within it, and a reload waits for it. */
  debounceMs?: number
}

const RESTART_FILES = new Set(['config.yaml', 'config.yml', 'motia.config.ts', 'motia.config.js'])

/**
 * `motia dev`'s file watcher (chokidar): reloads in place on changes under steps/ and src/,
 * restarts on config changes. One reload runs at a time; changes during one queue the next.
 */
export function watchProject(opts: DevWatcherOptions): { ready: Promise<void>; close(): Promise<void> } {
  const { dir, log } = opts
  // Links are not followed by the watcher itself: the targets of the links discovery follows
  // (those inside the project) are watched by their real paths, so the watched set is the
  // loaded set, and a link to /usr/share costs nothing.
  const watched = new Set(discoverProject(dir).linkTargets)
  // The project folder is the one root (with the link targets), narrowed by `admits`: chokidar
  // announces "ready" early when it is given paths that do not exist yet (src/, config.yaml),
  // before the folders that do exist are watched, and a save right after it was lost.
  // Compared with forward slashes: chokidar gives Windows paths with backslashes.
  const root = slashed(dir)
  const admits = (native: string): boolean => {
    const path = slashed(native)
    if (path === root) return true
    if (path.includes('/node_modules/')) return false
    for (const link of watched) {
      const t = slashed(link)
      if (path === t || path.startsWith(`${t}/`)) return !HIDDEN.test(path.slice(t.length))
    }
    if (!path.startsWith(`${root}/`)) return false
    const rel = path.slice(root.length + 1)
    if (HIDDEN.test(`/${rel}`)) return false
    const top = rel.split('/', 1)[0]!
    return (STEP_ROOTS as readonly string[]).includes(top) || RESTART_FILES.has(rel)
  }
  const watcher = chokidar().watch([dir, ...watched], {
    ignoreInitial: true,
    followSymlinks: false,
    ignored: (path: string) => !admits(path),
  })
  const watchNewLinks = () => {
    const fresh = discoverProject(dir).linkTargets.filter((t) => !watched.has(t))
    for (const t of fresh) watched.add(t)
    if (fresh.length > 0) watcher.add(fresh)
  }
  let pending = new Set<string>()
  let timer: ReturnType<typeof setTimeout> | undefined
  let running: Promise<unknown> | undefined

  const run = async () => {
    timer = undefined
    if (running) return
    const files = [...pending]
    pending = new Set()
    const restart = files.find((f) => RESTART_FILES.has(relative(dir, f)))
    running = (restart ? opts.onRestart(restart) : opts.onReload(files).then(watchNewLinks)).catch((err) =>
      log.error(`reload failed: ${(err as Error).message}`, { error: err }),
    )
    await running
    running = undefined
    if (pending.size > 0) schedule()
  }
  const schedule = () => {
    if (timer) clearTimeout(timer)
    timer = setTimeout(run, opts.debounceMs ?? 2)
  }
  const onEvent = (path: string) => {
    pending.add(path)
    schedule()
  }
  // chokidar drops a file's change events for 50 ms after it reported one (and raw events 5 ms
  // apart): a second save inside that window (a formatter rewriting what the editor just wrote,
  // the write after a truncate) would never be reloaded. So each written file is looked at once
  // more after the window; if it differs from what was reported, that is a change of its own.
  const rechecks = new Map<string, ReturnType<typeof setTimeout>>()
  const onWrite = (path: string, stats?: Stats) => {
    onEvent(path)
    const seen = signature(path, stats)
    clearTimeout(rechecks.get(path))
    const check = () => {
      rechecks.delete(path)
      const now = signature(path)
      if (now !== '' && now !== seen) onWrite(path) // a file gone since has had its unlink event
    }
    rechecks.set(path, setTimeout(check, RECHECK_MS))
  }
  watcher.on('add', onWrite).on('change', onWrite).on('unlink', onEvent)
  watcher.on('error', (err) => log.error(`file watcher: ${(err as Error).message}`))
  const ready = new Promise<void>((r) => watcher.once('ready', () => r()))
  return {
    ready,
    async close() {
      if (timer) clearTimeout(timer)
      for (const t of rechecks.values()) clearTimeout(t)
      await watcher.close()
    },
  }
}

function slashed(path: string): string {
  return sep === '/' ? path : path.replaceAll(sep, '/')
}

/** A hidden file or folder (.motia, .git, .venv) anywhere in a path below the project. */
const HIDDEN = /\/\.[^/]+(\/|$)/

/** Past chokidar's 50 ms change throttle, with room for its own stat. */
const RECHECK_MS = 60

/** What tells two versions of a file apart without reading it; '' for a file that is gone. */
function signature(path: string, stats?: Stats): string {
  const s = stats ?? statSync(path, { throwIfNoEntry: false })
  return s ? `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}` : ''
}

/** In a compiled binary chokidar is an entrypoint apart (build.ts): the define folds this test. */
function chokidar(): typeof import('./chokidar-library') {
  if (typeof MOTIA_SPLIT_ENTRIES === 'boolean') return require(embeddedEntry('runtime/chokidar-library'))
  else return require('./chokidar-library')
}
