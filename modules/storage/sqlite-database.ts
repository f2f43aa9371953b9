import { Database } from 'bun:sqlite'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'

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
 * `:memory:` is accepted for tests.
 */
export function openSqlite(path: string, options: SqliteOptions = {}): Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const db = new Database(path, { create: true, strict: true })
  db.run(`PRAGMA busy_timeout = ${options.busyTimeoutMs ?? 5000}`)
  if (path !== ':memory:') db.run('PRAGMA journal_mode = WAL')
  db.run(`PRAGMA synchronous = ${options.synchronous ?? 'NORMAL'}`)
  db.run('PRAGMA foreign_keys = ON')
  return db
}
