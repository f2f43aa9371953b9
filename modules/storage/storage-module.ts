import type { Database } from 'bun:sqlite'
import { existsSync } from 'node:fs'
import type { MotiaModule, RuntimeServices } from '../../runtime/module'
import { ENGINE_BUSY_TIMEOUT_MS } from './busy-retry'
import { type Checkpointer, startCheckpointer } from './checkpointer'
import { openSqlite, probeWritable } from './sqlite-database'
import { storageTrouble } from './storage-error'

const KEY = 'sqlite.db'
const CHECKPOINTER = 'sqlite.checkpointer'
/** Set when this runtime created the file: its WAL then holds the stores' new tables alone. */
const CREATED = 'sqlite.created'

/**
 * The project's SQLite file (`.motia/motia.db`), opened on first use and shared by the state,
 * queue, streams and trace stores of this runtime; closed after every module that uses it.
 */
export function storageModule(): MotiaModule {
  let rt: RuntimeServices | undefined
  return {
    name: 'storage',
    setup(services) {
      rt = services
    },
    start() {
      // Every store has made its tables (setup) and none has run yet (storage starts first). A
      // new file's WAL is emptied here, so the checkpointer thread (a JS heap of its own, ~2 MB)
      // waits for the first commit of actual work, as it does on every later start.
      const db = rt?.shared.get(KEY) as Database | undefined
      if (db && rt?.shared.get(CREATED)) db.run('PRAGMA wal_checkpoint(TRUNCATE)')
    },
    async ready() {
      // Only when a store uses the file; a read never waits on a writer (WAL).
      const db = rt?.shared.get(KEY) as Database | undefined
      if (!db) return { ok: true }
      try {
        db.query('SELECT count(*) FROM sqlite_master').get()
        return { ok: true }
      } catch (err) {
        return { ok: false, detail: `${rt?.config.sqlite.path}: ${(err as Error).message}` }
      }
    },
    async stop() {
      // A checkpoint of that thread in progress would make the final one fail at once.
      await (rt?.shared.get(CHECKPOINTER) as Checkpointer | undefined)?.stop()
      rt?.shared.delete(CHECKPOINTER)
      const db = rt?.shared.get(KEY) as Database | undefined
      rt?.shared.delete(KEY)
      if (db && rt) checkpointFully(db, rt)
      db?.close()
    },
  }
}

export function sharedSqlite(rt: RuntimeServices): Database {
  let db = rt.shared.get(KEY) as Database | undefined
  if (!db) {
    const path = rt.config.sqlite.path
    const onDisk = path !== ':memory:'
    if (onDisk && !existsSync(path)) rt.shared.set(CREATED, true)
    db = openSqlite(path, { synchronous: rt.config.sqlite.synchronous, busyTimeoutMs: ENGINE_BUSY_TIMEOUT_MS })
    if (onDisk) checkWritable(db, path, rt)
    rt.shared.set(KEY, db)
    if (onDisk) rt.shared.set(CHECKPOINTER, startCheckpointer(path, { engine: db }))
  }
  return db
}

/**
 * A file that cannot be written would otherwise start "ready" and fail every write: refused at
 * start-up. A lock held elsewhere or a full disk may pass: warned about, and writes wait or fail
 * with E_STORAGE_BUSY / E_STORAGE_FULL until they pass.
 */
function checkWritable(db: Database, path: string, rt: RuntimeServices): void {
  try {
    probeWritable(db, path)
  } catch (err) {
    const trouble = storageTrouble(err)
    if (trouble === 'busy' || trouble === 'full') {
      rt.log.warn(`${(err as Error).message}; starting anyway, writes wait for it or fail until it clears`)
      return
    }
    db.close()
    throw err
  }
}

/**
 * At a clean stop the WAL is copied into the database file and emptied (TRUNCATE), so
 * `motia.db` alone is a complete copy of the data (a backup needs no `-wal` file).
 */
function checkpointFully(db: Database, rt: RuntimeServices): void {
  const path = rt.config.sqlite.path
  if (path === ':memory:') return
  // Readers of other connections are waited for (busy timeout); a checkpoint another process
  // runs makes it fail at once (SQLite does not wait for those), so it is tried a few times.
  db.run('PRAGMA busy_timeout = 1000')
  let failure = 'another connection was reading it'
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      const r = db.query<{ busy: number }, []>('PRAGMA wal_checkpoint(TRUNCATE)').get()
      if (!r?.busy) return
    } catch (err) {
      failure = (err as Error).message
    }
    Bun.sleepSync(10)
  }
  rt.log.warn(`${path}: the WAL could not be emptied at shutdown (${failure}); the -wal file is part of the data`)
}
