/**
 * Checkpoints of the project's SQLite file run on a thread of their own. A WAL checkpoint
 * copies committed pages into the database file and syncs both; run by the committing
 * connection (SQLite's auto-checkpoint, every 1,000 pages) it made about half the cost of a
 * queue commit on the engine thread. The engine's connection keeps its auto-checkpoint as the
 * fallback: if this thread falls behind or cannot start, the WAL stays bounded all the same.
 */
import { workerEntryUrl } from '../../runtime/embedded-entries'
import type { CheckpointerInit } from './checkpoint-worker'

export interface Checkpointer {
  /** Resolves once the thread has closed its connection (or after a second, whichever first). */
  stop(): Promise<void>
}

export function startCheckpointer(path: string, options: { minMs?: number; maxMs?: number } = {}): Checkpointer {
  let worker: Worker | undefined
  try {
    worker = new Worker(
      workerEntryUrl('modules/storage/checkpoint-worker', new URL('./checkpoint-worker.ts', import.meta.url)),
    )
    worker.addEventListener('error', () => {
      worker?.terminate()
      worker = undefined
    })
    const init: CheckpointerInit = { path, minMs: options.minMs ?? 10, maxMs: options.maxMs ?? 1000 }
    worker.postMessage(init)
    // Bun's Worker: it must not keep the process alive.
    ;(worker as unknown as { unref(): void }).unref()
  } catch {
    worker = undefined // the engine's auto-checkpoint does the work
  }
  return {
    stop() {
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
