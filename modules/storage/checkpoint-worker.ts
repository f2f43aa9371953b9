/**
 * A thread that checkpoints the project's SQLite WAL, so the engine thread's commits do not
 * (checkpointer.ts). PASSIVE checkpoints never wait for, nor block, readers and writers.
 *
 * It checkpoints about every TARGET_FRAMES pages written, going by the rate it last saw,
 * between `minMs` and `maxMs` apart, and backs off to `maxMs` while nothing is written. Not
 * sooner: a checkpoint that copies the whole WAL lets the next write start the WAL over, and
 * that write syncs the WAL's new header (SQLite does so even at synchronous=NORMAL), on the
 * engine thread. Looking every `minMs` while there was work, a server answering ~300 state
 * writes a second paid that fsync on one write in 10-15 (bench/README.md, post-json).
 */
import { Database } from 'bun:sqlite'

declare const self: Worker

export interface CheckpointerInit {
  path: string
  minMs: number
  maxMs: number
}

/** Pages written between two checkpoints, when `minMs` and `maxMs` allow. */
const TARGET_FRAMES = 250

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
  // Pages written a ms, as last seen; it halves at each look that sees fewer, so a quiet spell
  // (or the WAL starting over between two looks, which hides what was written before) backs
  // the thread off gradually rather than at once.
  let rate = 0
  let frames = 0
  let lookedAt = performance.now()
  const tick = () => {
    try {
      const r = checkpoint.get()
      const now = performance.now()
      // busy: the engine's own checkpoint holds the lock; the next look tells.
      if (r && r.log >= 0) {
        // Pages in the WAL now; those written since the last look: its growth, or at least all
        // of it when it started over meanwhile.
        const written = r.log >= frames ? r.log - frames : r.log
        frames = r.log
        rate = Math.max(written / Math.max(1, now - lookedAt), rate / 2)
        lookedAt = now
        wait = rate > 0 ? Math.min(maxMs, Math.max(minMs, TARGET_FRAMES / rate)) : maxMs
      }
    } catch {
      wait = maxMs // locked or gone: the engine's own auto-checkpoint still bounds the WAL
    }
    timer = setTimeout(tick, wait)
  }
  timer = setTimeout(tick, wait)
}
