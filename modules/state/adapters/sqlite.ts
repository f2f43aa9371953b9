import type { Database, Statement } from 'bun:sqlite'
import type { UpdateOp } from '../../../sdk/types'
import { openSqlite, type SqliteOptions } from '../../storage/sqlite-database'
import type { StateAdapter, StateEntry, StateWriteResult } from '../adapter'
import { applyUpdateOps } from '../update-ops'

/**
 * State in the project's SQLite file. Read-modify-write operations run in IMMEDIATE
 * transactions, so they stay atomic when worker threads or other processes share the file.
 * When given a Database the caller owns it; `open()` makes an adapter that closes its own.
 */
export class SqliteStateAdapter implements StateAdapter {
  readonly kind = 'sqlite'
  private readonly getStmt: Statement<{ value: string }, [string, string]>
  private readonly putStmt: Statement<unknown, [string, string, string, number]>
  private readonly delStmt: Statement<unknown, [string, string]>
  private readonly groupStmt: Statement<{ key: string; value: string }, [string]>
  private readonly clearStmt: Statement<unknown, [string]>
  private readonly groupsStmt: Statement<{ group_id: string }, []>
  private readonly writeTx: <T>(
    groupId: string,
    key: string,
    next: (old: T | null) => T | undefined,
  ) => StateWriteResult<T>

  static open(path: string, options?: SqliteOptions): SqliteStateAdapter {
    return new SqliteStateAdapter(openSqlite(path, options), true)
  }

  constructor(
    private readonly db: Database,
    private readonly owned = false,
  ) {
    db.run(`CREATE TABLE IF NOT EXISTS motia_state (
      group_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, updated_at INTEGER NOT NULL,
      PRIMARY KEY (group_id, key)) WITHOUT ROWID`)
    this.getStmt = db.query('SELECT value FROM motia_state WHERE group_id = ? AND key = ?')
    this.putStmt = db.query(
      'INSERT INTO motia_state (group_id, key, value, updated_at) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT (group_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
    )
    this.delStmt = db.query('DELETE FROM motia_state WHERE group_id = ? AND key = ?')
    this.groupStmt = db.query('SELECT key, value FROM motia_state WHERE group_id = ? ORDER BY key')
    this.clearStmt = db.query('DELETE FROM motia_state WHERE group_id = ?')
    this.groupsStmt = db.query('SELECT DISTINCT group_id FROM motia_state ORDER BY group_id')
    const tx = db.transaction((groupId: string, key: string, next: (old: unknown) => unknown) => {
      const row = this.getStmt.get(groupId, key)
      const old = row ? JSON.parse(row.value) : null
      const value = next(old)
      if (value === undefined) this.delStmt.run(groupId, key)
      else this.putStmt.run(groupId, key, JSON.stringify(value), Date.now())
      return { old_value: old, new_value: value === undefined ? null : value }
    })
    this.writeTx = (groupId, key, next) => tx.immediate(groupId, key, next as (old: unknown) => unknown) as never
  }

  async get<T>(groupId: string, key: string): Promise<T | null> {
    const row = this.getStmt.get(groupId, key)
    return row ? (JSON.parse(row.value) as T) : null
  }

  async set<T>(groupId: string, key: string, value: T): Promise<StateWriteResult<T>> {
    const json = JSON.stringify(value ?? null)
    return this.writeTx<T>(groupId, key, () => JSON.parse(json))
  }

  async update<T>(groupId: string, key: string, ops: readonly UpdateOp[]): Promise<StateWriteResult<T>> {
    return this.writeTx<T>(groupId, key, (old) => applyUpdateOps(old, ops) as T)
  }

  async delete<T>(groupId: string, key: string): Promise<T | null> {
    return this.writeTx<T>(groupId, key, () => undefined).old_value
  }

  async getGroup<T>(groupId: string): Promise<T[]> {
    return this.groupStmt.all(groupId).map((r) => JSON.parse(r.value) as T)
  }

  async entries<T>(groupId: string): Promise<StateEntry<T>[]> {
    return this.groupStmt.all(groupId).map((r) => ({ key: r.key, value: JSON.parse(r.value) as T }))
  }

  async clear(groupId: string): Promise<void> {
    this.clearStmt.run(groupId)
  }

  async listGroups(): Promise<string[]> {
    return this.groupsStmt.all().map((r) => r.group_id)
  }

  async close(): Promise<void> {
    if (this.owned) this.db.close()
  }
}
