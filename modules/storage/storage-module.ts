import type { Database } from 'bun:sqlite'
import type { MotiaModule, RuntimeServices } from '../../runtime/module'
import { type Checkpointer, startCheckpointer } from './checkpointer'
import { openSqlite } from './sqlite-database'

const KEY = 'sqlite.db'
const CHECKPOINTER = 'sqlite.checkpointer'

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
    stop() {
      ;(rt?.shared.get(CHECKPOINTER) as Checkpointer | undefined)?.stop()
      rt?.shared.delete(CHECKPOINTER)
      const db = rt?.shared.get(KEY) as Database | undefined
      rt?.shared.delete(KEY)
      db?.close()
    },
  }
}

export function sharedSqlite(rt: RuntimeServices): Database {
  let db = rt.shared.get(KEY) as Database | undefined
  if (!db) {
    db = openSqlite(rt.config.sqlite.path, { synchronous: rt.config.sqlite.synchronous })
    rt.shared.set(KEY, db)
    if (rt.config.sqlite.path !== ':memory:') rt.shared.set(CHECKPOINTER, startCheckpointer(rt.config.sqlite.path))
  }
  return db
}
