import type { Database } from 'bun:sqlite'
import { existsSync, renameSync, rmSync } from 'node:fs'
import type { StructuredLogger } from '../../runtime/logger'
import { ENGINE_BUSY_TIMEOUT_MS } from '../storage/busy-retry'
import { openSqlite } from '../storage/sqlite-database'
import { storageError, storageTrouble } from '../storage/storage-error'
import { TraceStore } from './trace-store'

/**
 * Opens the trace store. `traces.db` is only a cache for the console, so it never stops
 * start-up: a damaged file is moved aside (`traces.db.corrupt-<time>`) and a fresh one started;
 * one that cannot be opened at all leaves traces in memory until the next start. Each case is
 * one warning naming the file.
 */
export function openTraceStore(
  file: string,
  maxTraces: number,
  log: Pick<StructuredLogger, 'info' | 'warn' | 'error'>,
): { db: Database; store: TraceStore } {
  const open = (path: string) => {
    // Flushes run on the engine thread: a lock held elsewhere must fail them fast, not block.
    const db = openSqlite(path, { synchronous: 'OFF', busyTimeoutMs: ENGINE_BUSY_TIMEOUT_MS })
    try {
      return { db, store: new TraceStore(db, maxTraces, { log, file: path }) }
    } catch (err) {
      db.close()
      throw storageError(err, path)
    }
  }
  if (file === ':memory:') return open(file)
  let failure: unknown
  try {
    return open(file)
  } catch (err) {
    failure = err
  }
  if (storageTrouble(failure) === 'corrupt') {
    const aside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`
    try {
      renameSync(file, aside)
      // The old WAL belongs to the old file: it must not be replayed into the new one.
      if (existsSync(`${file}-wal`)) renameSync(`${file}-wal`, `${aside}-wal`)
      rmSync(`${file}-shm`, { force: true })
      log.warn(`${(failure as Error).message}; it was moved aside to ${aside} and a fresh one started`)
      return open(file)
    } catch (err) {
      failure = err
    }
  }
  log.warn(`${(failure as Error).message}; traces are kept in memory until the next start`)
  return open(':memory:')
}
