import type { Database } from 'bun:sqlite'
import { MotiaError } from '../../runtime/errors'
import { storageError, storageTrouble } from './storage-error'

/**
 * How long SQLite itself waits, blocking, for another connection's lock on the engine's
 * connections. Short: the engine thread serves every request, so a lock held outside (the
 * sqlite3 shell, a backup, another process) must not freeze it; longer waits happen here,
 * between attempts, on timers.
 */
export const ENGINE_BUSY_TIMEOUT_MS = 50

/** How long a write waits in all for a lock held elsewhere before failing with E_STORAGE_BUSY. */
export const BUSY_WAIT_MS = 5000

/** A connection found locked: no attempt before `until` (each one may block the thread briefly). */
interface Gate {
  until: number
  wait: number
}
const gates = new WeakMap<Database, Gate>()

/**
 * Runs one synchronous SQLite operation of an engine connection. A file locked elsewhere is
 * tried again on timers (5 ms doubling to 200 ms) for up to BUSY_WAIT_MS, so other requests go
 * on meanwhile; while it is locked, the calls waiting on one connection take turns, one attempt
 * per wait, so a hundred waiting writes do not block the thread a hundred times. Any SQLite
 * failure comes out as a MotiaError naming the file (storage-error.ts). The operation must be
 * all-or-nothing (one statement or one transaction): a busy one did nothing. The first attempt
 * is synchronous, so the usual case costs no extra promise.
 */
export function retryBusy<T>(db: Database, run: () => T): T | Promise<T> {
  if (gates.has(db)) return retryLater(db, run)
  try {
    return run()
  } catch (err) {
    if (storageTrouble(err) !== 'busy') throw storageError(err, fileOf(db))
    closeGate(db)
    return retryLater(db, run)
  }
}

async function retryLater<T>(db: Database, run: () => T): Promise<T> {
  const deadline = Date.now() + BUSY_WAIT_MS
  for (;;) {
    const gate = gates.get(db)
    const now = Date.now()
    if (gate && gate.until > now) {
      if (gate.until >= deadline) break
      await Bun.sleep(gate.until - now)
      continue
    }
    try {
      const result = run()
      gates.delete(db)
      return result
    } catch (err) {
      if (storageTrouble(err) !== 'busy') {
        gates.delete(db) // whatever this is, the lock is gone
        throw storageError(err, fileOf(db))
      }
      closeGate(db)
    }
  }
  throw new MotiaError(
    'E_STORAGE_BUSY',
    `${fileOf(db)}: another connection holds its write lock (SQLITE_BUSY: still locked after ${BUSY_WAIT_MS} ms)`,
    { details: { file: fileOf(db), sqliteCode: 'SQLITE_BUSY' } },
  )
}

function closeGate(db: Database): void {
  const wait = Math.min((gates.get(db)?.wait ?? 2.5) * 2, 200)
  gates.set(db, { until: Date.now() + wait, wait })
}

const fileOf = (db: Database) => db.filename || ':memory:'

/**
 * A read of an engine connection: WAL readers do not wait for writers, so it neither waits for
 * a lock held elsewhere nor takes turns with the writes that do; a failure names the file.
 */
export function readSqlite<T>(db: Database, run: () => T): T {
  try {
    return run()
  } catch (err) {
    throw storageError(err, fileOf(db))
  }
}
