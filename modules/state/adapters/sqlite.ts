import type { Database, Statement } from 'bun:sqlite'
import type { UpdateOp } from '../../../sdk/types'
import { readSqlite, retryBusy } from '../../storage/busy-retry'
import { openSqlite, type SqliteOptions } from '../../storage/sqlite-database'
import type { StateAdapter, StateEntry, StateWriteResult } from '../adapter'
import { applyUpdateOps } from '../update-ops'

export interface SqliteStateOptions {
  /** Table holding the values; default `motia_state`. */
  table?: string
}

type Tx<A extends unknown[], R> = ((...args: A) => R) & { immediate: (...args: A) => R }

/**
 * State in a SQLite file, one row per (group, key) with the value as JSON text.
 *
 * Writes that read the old value run in `BEGIN IMMEDIATE` transactions: the write lock is
 * taken before the read, so a read-modify-write stays atomic when worker threads or other
 * processes hold their own connections to the file (they wait on busy_timeout, then proceed
 * with the value this one committed). Statements are prepared once; the calls are synchronous
 * underneath, which also serialises concurrent calls within one thread. A file locked elsewhere
 * is tried again on a timer, not waited for on the thread, and a failure is a MotiaError naming
 * the file (modules/storage/busy-retry.ts).
 *
 * Ownership: `new SqliteStateAdapter(db)` uses a connection the caller owns, and `close()`
 * leaves it open; `SqliteStateAdapter.open(path)` opens its own, and `close()` closes it.
 */
export class SqliteStateAdapter implements StateAdapter {
  readonly kind = 'sqlite'
  private ownsDb = false
  private readonly statements: Statement[]
  private readonly getStmt: Statement<{ value: string }, [string, string]>
  private readonly delStmt: Statement<{ value: string }, [string, string]>
  private readonly groupStmt: Statement<{ key: string; value: string }, [string]>
  private readonly clearStmt: Statement<unknown, [string]>
  private readonly groupsStmt: Statement<{ group_id: string }, []>
  private readonly setTx: Tx<[string, string, string], string | null>
  private readonly updateTx: Tx<[string, string, readonly UpdateOp[]], { old: unknown; json: string }>

  /** An adapter with its own connection (WAL, busy timeout: see openSqlite); `close()` closes it. */
  static open(path: string, options: SqliteOptions & SqliteStateOptions = {}): SqliteStateAdapter {
    const adapter = new SqliteStateAdapter(openSqlite(path, options), options)
    adapter.ownsDb = true
    return adapter
  }

  /** Uses `db` (opened with openSqlite, ideally) without taking ownership: `close()` leaves it open. */
  constructor(
    private readonly db: Database,
    options: SqliteStateOptions = {},
  ) {
    const table = options.table ?? 'motia_state'
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(table)) throw new Error(`SqliteStateAdapter: invalid table name "${table}"`)
    db.run(`CREATE TABLE IF NOT EXISTS ${table} (
      group_id TEXT NOT NULL,
      key TEXT NOT NULL,
      value TEXT NOT NULL, -- JSON
      updated_at INTEGER NOT NULL, -- ms since epoch
      PRIMARY KEY (group_id, key)
    ) WITHOUT ROWID`)

    this.getStmt = db.prepare(`SELECT value FROM ${table} WHERE group_id = ? AND key = ?`)
    const putStmt = db.prepare<unknown, [string, string, string, number]>(
      `INSERT INTO ${table} (group_id, key, value, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (group_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    )
    // One statement deletes and returns the old value, so delete needs no transaction.
    this.delStmt = db.prepare(`DELETE FROM ${table} WHERE group_id = ? AND key = ? RETURNING value`)
    this.groupStmt = db.prepare(`SELECT key, value FROM ${table} WHERE group_id = ? ORDER BY key`)
    this.clearStmt = db.prepare(`DELETE FROM ${table} WHERE group_id = ?`)
    this.groupsStmt = db.prepare(`SELECT DISTINCT group_id FROM ${table} ORDER BY group_id`)
    this.statements = [this.getStmt, putStmt, this.delStmt, this.groupStmt, this.clearStmt, this.groupsStmt]

    // Parsing and serialising happen outside the transactions where they can, to keep the
    // write lock (which other connections wait on) as short as possible.
    this.setTx = db.transaction((groupId: string, key: string, json: string) => {
      const old = this.getStmt.get(groupId, key)?.value ?? null
      putStmt.run(groupId, key, json, Date.now())
      return old
    })
    this.updateTx = db.transaction((groupId: string, key: string, ops: readonly UpdateOp[]) => {
      const row = this.getStmt.get(groupId, key)
      const old: unknown = row ? JSON.parse(row.value) : null
      // Throws on a bad op, which rolls the transaction back: nothing is written.
      const json = toJson(applyUpdateOps(old, ops))
      putStmt.run(groupId, key, json, Date.now())
      return { old, json }
    })
  }

  async get<T>(groupId: string, key: string): Promise<T | null> {
    const row = readSqlite(this.db, () => this.getStmt.get(groupId, key))
    return row ? (JSON.parse(row.value) as T) : null
  }

  async set<T>(groupId: string, key: string, value: T): Promise<StateWriteResult<T>> {
    const json = toJson(value)
    const old = await retryBusy(this.db, () => this.setTx.immediate(groupId, key, json))
    return { old_value: old === null ? null : (JSON.parse(old) as T), new_value: JSON.parse(json) as T }
  }

  async update<T>(groupId: string, key: string, ops: readonly UpdateOp[]): Promise<StateWriteResult<T>> {
    const { old, json } = await retryBusy(this.db, () => this.updateTx.immediate(groupId, key, ops))
    return { old_value: old as T | null, new_value: JSON.parse(json) as T }
  }

  async delete<T>(groupId: string, key: string): Promise<T | null> {
    const row = await retryBusy(this.db, () => this.delStmt.get(groupId, key))
    return row ? (JSON.parse(row.value) as T) : null
  }

  async getGroup<T>(groupId: string): Promise<T[]> {
    const rows = readSqlite(this.db, () => this.groupStmt.all(groupId))
    return rows.map((r) => JSON.parse(r.value) as T)
  }

  async entries<T>(groupId: string): Promise<StateEntry<T>[]> {
    const rows = readSqlite(this.db, () => this.groupStmt.all(groupId))
    return rows.map((r) => ({ key: r.key, value: JSON.parse(r.value) as T }))
  }

  async clear(groupId: string): Promise<void> {
    await retryBusy(this.db, () => this.clearStmt.run(groupId))
  }

  async listGroups(): Promise<string[]> {
    const rows = readSqlite(this.db, () => this.groupsStmt.all())
    return rows.map((r) => r.group_id)
  }

  async close(): Promise<void> {
    if (this.ownsDb) this.db.close()
    else for (const s of this.statements) s.finalize()
  }
}

/** JSON text of a value; what JSON cannot hold at the top (undefined, a function) is stored as null. */
function toJson(value: unknown): string {
  return JSON.stringify(value) ?? 'null'
}
