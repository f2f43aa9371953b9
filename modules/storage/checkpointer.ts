/**
 * Checkpoints of the project's SQLite file run on a thread of their own. A WAL checkpoint
 * copies committed pages into the database file and syncs both; run by the committing
 * connection (SQLite's auto-checkpoint, every 1,000 pages) it made about half the cost of a
 * queue commit on the engine thread. The engine's connection keeps its auto-checkpoint as the
 * fallback, at a higher bound while this thread runs: if the thread falls behind or cannot
 * start, the WAL stays bounded all the same.
 * The thread, a JS heap of its own, starts once the WAL holds a commit: a server that never
 * writes to the file (HTTP steps only, or idle) never runs it.
 */
import type { Database } from 'bun:sqlite'
import { statSync } from 'node:fs'
import { workerEntryUrl } from '../../runtime/embedded-entries'
import type { CheckpointerInit } from './checkpoint-worker'

export interface Checkpointer {
  /** Whether the WAL has held a commit, and the thread was started for it. */
  readonly running: boolean
  /** Resolves once the thread has closed its connection (or after a second, whichever first). */
  stop(): Promise<void>
}

/** A WAL file holds its 32-byte header, then one frame per page written. */
const WAL_HEADER_BYTES = 32

/** SQLite's default auto-checkpoint, in WAL pages: the engine's own while the thread is not running. */
const ENGINE_AUTOCHECKPOINT = 1000

/**
 * The engine's auto-checkpoint while the thread runs, in WAL pages (~40 MB of WAL at most). The
 * WAL is reused from its start only when a write finds it fully copied, which under steady
 * writes (a commit every 100 µs) the thread's checkpoints rarely leave it: the WAL grew past
 * 1,000 pages, and from there the engine's connection ran a checkpoint of its own after its
 * commits, three fsyncs on the engine thread each time (~16 a second in bench/post-json.ts).
 * With this bound that happens once per 10,000 pages written.
 */
const ENGINE_AUTOCHECKPOINT_WITH_THREAD = 10_000

export function startCheckpointer(
  path: string,
  options: {
    minMs?: number
    maxMs?: number
    /** How often the WAL's size is looked at until it holds a commit. */
    watchMs?: number
    /** The engine's connection to the file, whose own auto-checkpoint is the fallback. */
    engine?: Database
  } = {},
): Checkpointer {
  const { engine } = options
  let worker: Worker | undefined
  let running = false
  const watch = setInterval(() => {
    if ((statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0) <= WAL_HEADER_BYTES) return
    clearInterval(watch)
    running = true
    try {
      const w = new Worker(
        workerEntryUrl('modules/storage/checkpoint-worker', new URL('./checkpoint-worker.ts', import.meta.url)),
      )
      worker = w
      w.addEventListener('error', () => {
        w.terminate()
        worker = undefined
        try {
          engine?.run(`PRAGMA wal_autocheckpoint = ${ENGINE_AUTOCHECKPOINT}`)
        } catch {} // closed already: the runtime is stopping
      })
      const init: CheckpointerInit = { path, minMs: options.minMs ?? 10, maxMs: options.maxMs ?? 1000 }
      w.postMessage(init)
      // Bun's Worker: it must not keep the process alive.
      ;(w as unknown as { unref(): void }).unref()
      engine?.run(`PRAGMA wal_autocheckpoint = ${ENGINE_AUTOCHECKPOINT_WITH_THREAD}`)
    } catch {
      worker = undefined // the engine's auto-checkpoint does the work
    }
  }, options.watchMs ?? 250)
  watch.unref()
  return {
    get running() {
      return running
    },
    stop() {
      clearInterval(watch)
      const w = worker
      worker = undefined
      if (!w) return Promise.resolve()
      return new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000)
        w.addEventListener('close', () => {
          clearTimeout(timer)
          resolve()
        })
        w.postMessage('stop') // closes its connection, then exits
      })
    },
  }
}
