import { Database } from 'bun:sqlite'
import { afterEach, expect, test } from 'bun:test'
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { tempProjects } from '../../test/support/runtime'
import { type Checkpointer, startCheckpointer } from './checkpointer'
import { openSqlite } from './sqlite-database'

const project = tempProjects('motia-ckpt-')
let checkpointer: Checkpointer | undefined
afterEach(() => {
  checkpointer?.stop()
  checkpointer = undefined
})

/**
 * The engine's connection here never checkpoints by itself (wal_autocheckpoint = 0), so pages
 * reach the database file, and the WAL is reused from its start, only through the checkpointer.
 */
async function writeInRounds(withCheckpointer: boolean): Promise<{ dbBytes: number; walBytes: number }> {
  const path = join(project({}), 'motia.db')
  const db = openSqlite(path)
  db.run('PRAGMA wal_autocheckpoint = 0')
  db.run('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)')
  if (withCheckpointer) checkpointer = startCheckpointer(path, { minMs: 5, maxMs: 20, watchMs: 5 })
  const insert = db.query('INSERT INTO t (v) VALUES (?)')
  const remove = db.query('DELETE FROM t WHERE id <= ?')
  const payload = 'x'.repeat(2000)
  let id = 0
  for (let round = 0; round < 20; round++) {
    db.transaction(() => {
      for (let i = 0; i < 100; i++) insert.run(payload)
      id += 100
      remove.run(id - 100)
    })()
    await Bun.sleep(30)
  }
  const sizes = { dbBytes: statSync(path).size, walBytes: statSync(`${path}-wal`).size }
  db.close()
  return sizes
}

test('checkpoints run on their own thread: pages reach the database file and the WAL is reused', async () => {
  const without = await writeInRounds(false)
  const withIt = await writeInRounds(true)
  // ~4 MB were written in 20 commits of ~200 KB each.
  expect(without.walBytes).toBeGreaterThan(3_000_000)
  expect(without.dbBytes).toBeLessThan(50_000)
  expect(withIt.dbBytes).toBeGreaterThan(150_000)
  expect(withIt.walBytes).toBeLessThan(without.walBytes / 3)
})

test('the thread starts once the WAL holds a commit, not for a database only read', async () => {
  const path = join(project({}), 'motia.db')
  const db = openSqlite(path)
  db.run('PRAGMA wal_autocheckpoint = 0')
  db.query('SELECT count(*) FROM sqlite_master').get()
  checkpointer = startCheckpointer(path, { minMs: 5, maxMs: 20, watchMs: 5 })
  await Bun.sleep(50)
  expect(checkpointer.running).toBe(false)
  db.run('CREATE TABLE t (id INTEGER PRIMARY KEY)')
  for (let i = 0; i < 100 && !checkpointer.running; i++) await Bun.sleep(5)
  expect(checkpointer.running).toBe(true)
  db.close()
})

test('a slow trickle of writes is checkpointed now and then, not after each write', async () => {
  const path = join(project({}), 'motia.db')
  const db = openSqlite(path)
  db.run('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)')
  checkpointer = startCheckpointer(path, { minMs: 5, maxMs: 200, watchMs: 5, engine: db })
  for (let i = 0; i < 100 && !checkpointer.running; i++) await Bun.sleep(5)
  const insert = db.query('INSERT INTO t (v) VALUES (?)')
  // The WAL's salt (header bytes 16-23) changes each time a write starts it over, which that
  // write pays with an fsync: after each checkpoint that found the whole WAL to copy.
  const salt = () => readFileSync(`${path}-wal`).subarray(16, 24).toString('hex')
  let restarts = 0
  let last = salt()
  for (let i = 0; i < 60; i++) {
    insert.run('x')
    const now = salt()
    if (now !== last) restarts++
    last = now
    await Bun.sleep(10)
  }
  // A look every 5 ms would copy the WAL between any two writes: ~60 restarts.
  expect(restarts).toBeLessThanOrEqual(6)
  db.close()
})

const autocheckpoint = (db: Database) =>
  db.query<{ wal_autocheckpoint: number }, []>('PRAGMA wal_autocheckpoint').get()!.wal_autocheckpoint

test('while the thread runs, the engine connection checkpoints by itself only past 10,000 WAL pages', async () => {
  const path = join(project({}), 'motia.db')
  const db = openSqlite(path)
  checkpointer = startCheckpointer(path, { minMs: 5, maxMs: 20, watchMs: 5, engine: db })
  await Bun.sleep(20)
  expect(autocheckpoint(db)).toBe(1000)
  db.run('CREATE TABLE t (id INTEGER PRIMARY KEY)')
  for (let i = 0; i < 100 && !checkpointer.running; i++) await Bun.sleep(5)
  expect(autocheckpoint(db)).toBe(10_000)
  db.close()
})

test('a database that cannot be opened leaves the engine to checkpoint by itself', async () => {
  const path = join(project({}), 'missing', 'motia.db')
  // Stands in for the engine's connection, whose auto-checkpoint the failure gives back.
  const engine = new Database(':memory:')
  checkpointer = startCheckpointer(path, { minMs: 5, maxMs: 20, watchMs: 5, engine })
  mkdirSync(dirname(path))
  writeFileSync(`${path}-wal`, 'not a WAL, but more than its header')
  for (let i = 0; i < 100 && !checkpointer.running; i++) await Bun.sleep(5)
  for (let i = 0; i < 100 && autocheckpoint(engine) !== 1000; i++) await Bun.sleep(5)
  expect(autocheckpoint(engine)).toBe(1000)
  checkpointer.stop() // no throw, nothing left running
  engine.close()
})
