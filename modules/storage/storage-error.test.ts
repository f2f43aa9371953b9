import { Database } from 'bun:sqlite'
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MotiaError } from '../../runtime/errors'
import { retryBusy } from './busy-retry'
import { openSqlite, probeWritable } from './sqlite-database'
import { storageError } from './storage-error'

const dir = mkdtempSync(join(tmpdir(), 'motia-storage-error-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** The error a SQLite call throws, as the runtime passes it on. */
function thrown(run: () => unknown, file: string): MotiaError {
  try {
    run()
  } catch (err) {
    return storageError(err, file) as MotiaError
  }
  throw new Error('did not throw')
}

test('SQLite failures become MotiaErrors naming the file, with a stable code, status and details', () => {
  const file = join(dir, 'a.db')
  const db = openSqlite(file)
  db.run('CREATE TABLE t (a)')
  const other = new Database(file)
  other.run('BEGIN IMMEDIATE')
  db.run('PRAGMA busy_timeout = 0')
  const busy = thrown(() => db.run('INSERT INTO t VALUES (1)'), file)
  other.run('ROLLBACK')
  db.run('PRAGMA query_only = ON')
  const readonly = thrown(() => db.run('INSERT INTO t VALUES (1)'), file)
  db.close()
  other.close()
  expect([busy, readonly].map((e) => [e.code, e.status, e.details])).toEqual([
    ['E_STORAGE_BUSY', 503, { file, sqliteCode: 'SQLITE_BUSY' }],
    ['E_STORAGE_READONLY', 503, { file, sqliteCode: 'SQLITE_READONLY' }],
  ])
  expect(busy.message).toBe(`${file}: another connection holds its write lock (SQLITE_BUSY: database is locked)`)
  // Errors that are not SQLite's pass through untouched.
  const plain = new TypeError('x')
  expect(storageError(plain, file)).toBe(plain)
})

test('a file that is not a database is named when opened', () => {
  const file = join(dir, 'garbage.db')
  writeFileSync(file, 'not a database '.repeat(400))
  let err: unknown
  try {
    openSqlite(file)
  } catch (e) {
    err = e
  }
  expect(err).toBeInstanceOf(MotiaError)
  expect((err as MotiaError).code).toBe('E_STORAGE_CORRUPT')
  expect((err as MotiaError).message).toStartWith(`${file}: it is not a database or is damaged (SQLITE_NOTADB`)
})

test('probeWritable changes nothing on a writable file and refuses a read-only connection', () => {
  const file = join(dir, 'probe.db')
  const db = openSqlite(file)
  db.run('PRAGMA user_version = 7')
  probeWritable(db, file)
  expect(db.query('PRAGMA user_version').get()).toEqual({ user_version: 7 })
  db.close()
  const ro = new Database(file, { readonly: true })
  expect(() => probeWritable(ro, file)).toThrow(`${file}: it cannot be written`)
  ro.close()
})

test('retryBusy waits for a lock held elsewhere on timers, not on the thread', async () => {
  const file = join(dir, 'busy.db')
  const db = openSqlite(file, { busyTimeoutMs: 20 })
  db.run('CREATE TABLE t (a)')
  const other = new Database(file)
  other.run('BEGIN IMMEDIATE')
  let ticks = 0
  const ticker = setInterval(() => ticks++, 10)
  setTimeout(() => other.run('ROLLBACK'), 300)
  const insert = db.query('INSERT INTO t VALUES (1)')
  await retryBusy(db, () => insert.run())
  clearInterval(ticker)
  expect(db.query('SELECT count(*) AS n FROM t').get()).toEqual({ n: 1 })
  expect(ticks).toBeGreaterThan(10) // the event loop kept turning while it waited
  other.close()
  db.close()
})

test('many writes waiting on one locked file take turns: the thread is never blocked for long', async () => {
  const file = join(dir, 'turns.db')
  const db = openSqlite(file, { busyTimeoutMs: 20 })
  db.run('CREATE TABLE t (a)')
  const other = new Database(file)
  other.run('BEGIN IMMEDIATE')
  let last = performance.now()
  let longestGap = 0
  const ticker = setInterval(() => {
    longestGap = Math.max(longestGap, performance.now() - last)
    last = performance.now()
  }, 5)
  setTimeout(() => other.run('ROLLBACK'), 400)
  const insert = db.query('INSERT INTO t VALUES (?)')
  await Promise.all(Array.from({ length: 50 }, (_, i) => retryBusy(db, () => insert.run(i))))
  clearInterval(ticker)
  expect(db.query('SELECT count(*) AS n FROM t').get()).toEqual({ n: 50 })
  // 50 writers each blocking 20 ms per round would stall it ~1 s at a time.
  expect(longestGap).toBeLessThan(150)
  other.close()
  db.close()
})
