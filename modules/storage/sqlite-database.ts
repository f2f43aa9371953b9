import { Database } from 'bun:sqlite'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { MotiaError } from '../../runtime/errors'
import { storageError } from './storage-error'

export type SqliteSynchronous = 'OFF' | 'NORMAL' | 'FULL'

export interface SqliteOptions {
  /**
   * `NORMAL` (default) survives a process crash; `FULL` also survives power loss, slower;
   * `OFF` never waits for the disk (caches such as the trace store).
   */
  synchronous?: SqliteSynchronous
  /** ms a writer waits on a lock held by another connection (worker threads, other processes). */
  busyTimeoutMs?: number
}

/**
 * Opens the project's SQLite file with the pragmas every store relies on: WAL (readers never
 * block the writer), `synchronous=NORMAL` (durable across kill -9; see BUN-NOTES.md for the
 * figures) and a busy timeout so several connections to one file wait instead of failing.
 * `:memory:` is accepted for tests. A file that cannot be opened is a MotiaError naming it
 * (`E_STORAGE_CORRUPT` for one that is not a database, storage-error.ts).
 */
export function openSqlite(path: string, options: SqliteOptions = {}): Database {
  if (path !== ':memory:') {
    try {
      mkdirSync(dirname(path), { recursive: true })
    } catch (err) {
      throw new MotiaError('E_STORAGE_READONLY', `${path}: its folder cannot be created (${(err as Error).message})`, {
        details: { file: path },
        cause: err,
      })
    }
  }
  let db: Database | undefined
  try {
    db = new Database(path, { create: true, strict: true })
    db.run(`PRAGMA busy_timeout = ${options.busyTimeoutMs ?? 5000}`)
    if (path !== ':memory:') db.run('PRAGMA journal_mode = WAL')
    db.run(`PRAGMA synchronous = ${options.synchronous ?? 'NORMAL'}`)
    db.run('PRAGMA foreign_keys = ON')
    return db
  } catch (err) {
    db?.close()
    throw storageError(err, path)
  }
}

/**
 * Whether the file can be written, without writing it: SQLite refuses a write to a read-only
 * file at its first change in the page cache, which the rollback then discards (so a full disk
 * passes). Throws a MotiaError naming the file (`E_STORAGE_READONLY`, `E_STORAGE_BUSY`, ...).
 */
export function probeWritable(db: Database, path: string): void {
  try {
    db.run('BEGIN IMMEDIATE')
    try {
      const { user_version } = db.query<{ user_version: number }, []>('PRAGMA user_version').get()!
      db.run(`PRAGMA user_version = ${user_version}`)
    } finally {
      db.run('ROLLBACK')
    }
  } catch (err) {
    throw storageError(err, path)
  }
}
