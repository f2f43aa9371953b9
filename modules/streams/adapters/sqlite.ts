import type { Database, Statement } from 'bun:sqlite'
import type { UpdateOp } from '../../../sdk/types'
import { applyUpdateOps } from '../../state/update-ops'
import { readSqlite, retryBusy } from '../../storage/busy-retry'
import { openSqlite, type SqliteOptions } from '../../storage/sqlite-database'
import { type StreamAdapter, type StreamItem, type StreamWriteResult, toItem } from '../adapter'

type Key = [stream: string, groupId: string, id: string]
type WriteOutcome = { old_value: StreamItem | null; new_value: StreamItem | null }

/**
 * Stream items in the project's SQLite file, one row per item. Read-modify-write operations
 * run in IMMEDIATE transactions so they stay atomic when worker threads or other processes
 * share the file. Creation order is the rowid: an upsert keeps its row, a re-created item gets
 * a new (larger) one. A file locked elsewhere is tried again on a timer, and a failure is a
 * MotiaError naming the file (modules/storage/busy-retry.ts). When given a Database the caller
 * owns it; `open()` makes an adapter that closes its own.
 */
export class SqliteStreamAdapter implements StreamAdapter {
  readonly kind = 'sqlite'
  readonly capabilities = { persistent: true, fanOut: false } as const
  private readonly getStmt: Statement<{ data: string }, Key>
  private readonly insertStmt: Statement<unknown, [...Key, string, number]>
  private readonly updateStmt: Statement<unknown, [string, number, ...Key]>
  private readonly delStmt: Statement<unknown, Key>
  private readonly groupStmt: Statement<{ data: string }, [string, string]>
  private readonly groupsStmt: Statement<{ group_id: string }, [string]>
  private readonly clearStmt: Statement<unknown, [string, string]>
  private readonly writeTx: (
    key: Key,
    next: (old: StreamItem | null) => StreamItem | undefined,
  ) => WriteOutcome | Promise<WriteOutcome>

  static open(path: string, options?: SqliteOptions): SqliteStreamAdapter {
    return new SqliteStreamAdapter(openSqlite(path, options), true)
  }

  constructor(
    private readonly db: Database,
    private readonly owned = false,
  ) {
    db.run(`CREATE TABLE IF NOT EXISTS motia_stream_items (
      stream TEXT NOT NULL, group_id TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL,
      created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
      PRIMARY KEY (stream, group_id, id))`)
    const where = 'WHERE stream = ? AND group_id = ? AND id = ?'
    this.getStmt = db.query(`SELECT data FROM motia_stream_items ${where}`)
    this.insertStmt = db.query(
      'INSERT INTO motia_stream_items (stream, group_id, id, data, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?5)',
    )
    this.updateStmt = db.query(`UPDATE motia_stream_items SET data = ?, updated_at = ? ${where}`)
    this.delStmt = db.query(`DELETE FROM motia_stream_items ${where}`)
    this.groupStmt = db.query('SELECT data FROM motia_stream_items WHERE stream = ? AND group_id = ? ORDER BY rowid')
    this.groupsStmt = db.query('SELECT DISTINCT group_id FROM motia_stream_items WHERE stream = ? ORDER BY group_id')
    this.clearStmt = db.query('DELETE FROM motia_stream_items WHERE stream = ? AND group_id = ?')
    const tx = db.transaction((key: Key, next: (old: StreamItem | null) => StreamItem | undefined) => {
      const row = this.getStmt.get(...key)
      const old = row ? (JSON.parse(row.data) as StreamItem) : null
      const item = next(old)
      if (item === undefined) {
        if (row) this.delStmt.run(...key)
        return { old_value: old, new_value: null }
      }
      const json = JSON.stringify(item)
      if (row) this.updateStmt.run(json, Date.now(), ...key)
      else this.insertStmt.run(...key, json, Date.now())
      return { old_value: old, new_value: JSON.parse(json) as StreamItem }
    })
    this.writeTx = (key, next) => retryBusy(this.db, () => tx.immediate(key, next))
  }

  async get(stream: string, groupId: string, id: string): Promise<StreamItem | null> {
    const row = readSqlite(this.db, () => this.getStmt.get(stream, groupId, id))
    return row ? (JSON.parse(row.data) as StreamItem) : null
  }

  async set(stream: string, groupId: string, id: string, data: Record<string, unknown>): Promise<StreamWriteResult> {
    const item = toItem(data, id)
    return (await this.writeTx([stream, groupId, id], () => item)) as StreamWriteResult
  }

  async update(stream: string, groupId: string, id: string, ops: readonly UpdateOp[]): Promise<StreamWriteResult> {
    return (await this.writeTx([stream, groupId, id], (old) =>
      toItem(applyUpdateOps(old, ops), id),
    )) as StreamWriteResult
  }

  async delete(stream: string, groupId: string, id: string): Promise<StreamItem | null> {
    return (await this.writeTx([stream, groupId, id], () => undefined)).old_value
  }

  async getGroup(stream: string, groupId: string): Promise<StreamItem[]> {
    const rows = readSqlite(this.db, () => this.groupStmt.all(stream, groupId))
    return rows.map((r) => JSON.parse(r.data) as StreamItem)
  }

  async listGroups(stream: string): Promise<string[]> {
    const rows = readSqlite(this.db, () => this.groupsStmt.all(stream))
    return rows.map((r) => r.group_id)
  }

  async clear(stream: string, groupId: string): Promise<void> {
    await retryBusy(this.db, () => this.clearStmt.run(stream, groupId))
  }

  async close(): Promise<void> {
    if (this.owned) this.db.close()
  }
}
