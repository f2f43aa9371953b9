/**
 * A thread that checkpoints the project's SQLite WAL, so the engine thread's commits do not
 * (checkpointer.ts). PASSIVE checkpoints never wait for, nor block, readers and writers. It
 * looks every `minMs` while there is work and backs off to `maxMs` while there is none.
 */
import { Database } from 'bun:sqlite'

declare const self: Worker

export interface CheckpointerInit {
  path: string
  minMs: number
  maxMs: number
}

let db: Database | undefined
let timer: ReturnType<typeof setTimeout> | undefined

self.onmessage = (e: MessageEvent<CheckpointerInit | 'stop'>) => {
  if (e.data === 'stop') {
    clearTimeout(timer)
    db?.close()
    process.exit(0) // ends this worker only
  }
  if (db) return
  const { path, minMs, maxMs } = e.data
  db = new Database(path, { readwrite: true, create: false })
  const checkpoint = db.query<{ busy: number; log: number; checkpointed: number }, []>('PRAGMA wal_checkpoint(PASSIVE)')
  let wait = minMs
  let backfilled = -1
  const tick = () => {
    try {
      const r = checkpoint.get()
      // Frames in the WAL and how many of them are now in the database file; the same count
      // twice running means nothing was written meanwhile.
      const idle = !r || r.log <= 0 || r.checkpointed === backfilled
      backfilled = r?.checkpointed ?? -1
      wait = idle ? Math.min(maxMs, wait * 2) : minMs
    } catch {
      wait = maxMs // locked or gone: the engine's own auto-checkpoint still bounds the WAL
    }
    timer = setTimeout(tick, wait)
  }
  timer = setTimeout(tick, wait)
}
