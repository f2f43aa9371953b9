import { join, relative } from 'node:path'
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
  const watcher = chokidar().watch(
    [...STEP_ROOTS.map((r) => join(dir, r)), ...[...RESTART_FILES].map((f) => join(dir, f)), ...watched],
    {
      ignoreInitial: true,
      followSymlinks: false,
      ignored: (path: string) => path.includes('/node_modules/') || /\/\.[^/]+(\/|$)/.test(path.slice(dir.length)),
    },
  )
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
  watcher.on('add', onEvent).on('change', onEvent).on('unlink', onEvent)
  watcher.on('error', (err) => log.error(`file watcher: ${(err as Error).message}`))
  const ready = new Promise<void>((r) => watcher.once('ready', () => r()))
  return {
    ready,
    async close() {
      if (timer) clearTimeout(timer)
      await watcher.close()
    },
  }
}

/** In a compiled binary chokidar is an entrypoint apart (build.ts): the define folds this test. */
function chokidar(): typeof import('./chokidar-library') {
  if (typeof MOTIA_SPLIT_ENTRIES === 'boolean') return require(embeddedEntry('runtime/chokidar-library'))
  else return require('./chokidar-library')
}
