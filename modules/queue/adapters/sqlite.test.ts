import { Database } from 'bun:sqlite'
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { MotiaError } from '../../../runtime/errors'
import type { QueueConfig } from '../../../sdk/types'
import { openSqlite } from '../../storage/sqlite-database'
import type { QueueMessage } from '../adapter'
import { fakeClock, queueAdapterSuite } from '../adapter.suite'
import { SqliteQueueAdapter } from './sqlite'

const dir = mkdtempSync(join(tmpdir(), 'motia-queue-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let n = 0
const file = () => join(dir, `q${n++}.db`)
const config: QueueConfig = {
  type: 'standard',
  maxRetries: 3,
  backoffType: 'fixed',
  backoffDelayMs: 10,
  concurrency: 10,
  visibilityTimeout: 5,
  delaySeconds: 0,
}

queueAdapterSuite('sqlite', (clock) => SqliteQueueAdapter.open(file(), { now: clock.now }))

test('messages survive a restart: ready, delayed and in-flight (redelivered after its lease)', async () => {
  const path = file()
  const clock = fakeClock()
  const subs = [{ id: 's', topic: 't', config }]
  const a = SqliteQueueAdapter.open(path, { now: clock.now })
  a.setSubscriptions(subs)
  await a.enqueue({ topic: 't', data: 'ready', traceId: 'x' })
  await a.enqueue({ topic: 't', data: 'delayed', traceId: 'x', delayMs: 60_000 })
  await a.enqueue({ topic: 't', data: 'in-flight', traceId: 'x' })
  await a.claim('s', 1)
  await a.close()

  const b = SqliteQueueAdapter.open(path, { now: clock.now })
  b.setSubscriptions(subs)
  clock.advance(5001)
  expect(await b.recoverExpired()).toBe(1)
  expect((await b.claim('s', 10)).map((m) => m.data).sort()).toEqual(['in-flight', 'ready'])
  clock.advance(60_000)
  expect((await b.claim('s', 10)).map((m) => m.data)).toEqual(['delayed'])
  await b.close()
})

test('two connections claiming in parallel never get the same message, and together get all', async () => {
  const path = file()
  const subs = [{ id: 's', topic: 't', config }]
  const a = SqliteQueueAdapter.open(path)
  const b = SqliteQueueAdapter.open(path)
  a.setSubscriptions(subs)
  b.setSubscriptions(subs)
  for (let i = 0; i < 1000; i++) await a.enqueue({ topic: 't', data: i, traceId: 'x' })
  const seen: string[] = []
  const drain = async (q: SqliteQueueAdapter) => {
    for (;;) {
      const batch = await q.claim('s', 7)
      if (batch.length === 0) return
      seen.push(...batch.map((m) => m.id))
      await Bun.sleep(0)
    }
  }
  await Promise.all([drain(a), drain(b), drain(a), drain(b)])
  expect(seen.length).toBe(1000)
  expect(new Set(seen).size).toBe(1000)
  await a.close()
  await b.close()
})

test('a file from an earlier release (no parent_span_id, the old claim index) opens and keeps its messages', async () => {
  const path = file()
  const { Database } = await import('bun:sqlite')
  const old = new Database(path)
  old.run(`CREATE TABLE motia_queue (
    id INTEGER PRIMARY KEY AUTOINCREMENT, subscription TEXT NOT NULL, topic TEXT NOT NULL, data TEXT NOT NULL,
    trace_id TEXT NOT NULL, group_id TEXT, idempotency_key TEXT, attempt INTEGER NOT NULL DEFAULT 0,
    inflight INTEGER NOT NULL DEFAULT 0, visible_at INTEGER NOT NULL, lease_until INTEGER,
    enqueued_at INTEGER NOT NULL, last_error TEXT)`)
  old.run('CREATE INDEX motia_queue_order ON motia_queue (subscription, inflight, id, visible_at)')
  old.run(
    `INSERT INTO motia_queue (subscription, topic, data, trace_id, visible_at, enqueued_at) VALUES ('s', 't', '"kept"', 'x', 0, 0)`,
  )
  old.close()
  const a = SqliteQueueAdapter.open(path)
  a.setSubscriptions([{ id: 's', topic: 't', config }])
  const [m] = await a.claim('s', 5)
  expect(m?.data).toBe('kept')
  await a.close()
  const check = new Database(path)
  const indexes = check.query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'index'").all()
  expect(indexes.map((i) => i.name)).not.toContain('motia_queue_order')
  check.close()
})

test('a file locked by another process: writes wait on timers and pass after it, the lease sweep fails fast', async () => {
  const path = file()
  const a = new SqliteQueueAdapter(openSqlite(path, { busyTimeoutMs: 20 }))
  a.setSubscriptions([{ id: 's', topic: 't', config }])
  const other = new Database(path)
  other.run('BEGIN IMMEDIATE')
  const t0 = performance.now()
  const sweep = await a.recoverExpired().catch((e: unknown) => e)
  expect(performance.now() - t0).toBeLessThan(500)
  expect((sweep as MotiaError).code).toBe('E_STORAGE_BUSY')
  let ticks = 0
  const ticker = setInterval(() => ticks++, 10)
  setTimeout(() => other.run('ROLLBACK'), 300)
  const ids = await a.enqueue({ topic: 't', data: { n: 1 }, traceId: 'x' })
  clearInterval(ticker)
  expect(ids).toHaveLength(1)
  expect(ticks).toBeGreaterThan(10)
  expect((await a.claim('s', 10)).map((m) => m.data)).toEqual([{ n: 1 }])
  other.close()
  await a.close()
})

test('a batch that cannot be written fails every write in it with the file named', async () => {
  const db = openSqlite(file())
  const a = new SqliteQueueAdapter(db)
  a.setSubscriptions([{ id: 's', topic: 't', config }])
  db.run('PRAGMA query_only = ON')
  const results = await Promise.allSettled([
    a.enqueue({ topic: 't', data: 1, traceId: 'x' }),
    a.enqueue({ topic: 't', data: 2, traceId: 'x' }),
    a.claim('s', 5),
  ])
  expect(results.map((r) => r.status === 'rejected' && (r.reason as MotiaError).code)).toEqual([
    'E_STORAGE_READONLY',
    'E_STORAGE_READONLY',
    'E_STORAGE_READONLY',
  ])
  db.run('PRAGMA query_only = OFF')
  expect(await a.enqueue({ topic: 't', data: 3, traceId: 'x' })).toHaveLength(1)
  await a.close()
  db.close()
})

test('stats: the age of the oldest ready message per subscription (in-flight and delayed ones do not count)', async () => {
  const clock = fakeClock()
  const a = SqliteQueueAdapter.open(file(), { now: clock.now })
  a.setSubscriptions([{ id: 's', topic: 't', config }])
  expect((await a.stats())[0]!.oldestReadyAgeMs).toBe(0)
  await a.enqueue({ topic: 't', data: 'first', traceId: 'x' })
  clock.advance(1000)
  await a.enqueue({ topic: 't', data: 'second', traceId: 'x' })
  await a.enqueue({ topic: 't', data: 'later', traceId: 'x', delayMs: 60_000 })
  clock.advance(500)
  expect((await a.stats())[0]).toMatchObject({ ready: 2, delayed: 1, oldestReadyAgeMs: 1500 })
  // The oldest is being handled: the next one waiting is the oldest now.
  await a.claim('s', 1)
  expect((await a.stats())[0]).toMatchObject({ ready: 1, inFlight: 1, oldestReadyAgeMs: 500 })
  await a.close()
})

test('a claim made when an enqueue is announced shares its commit: the message waits for one commit, not two', async () => {
  const db = openSqlite(file())
  let commits = 0
  const transaction = db.transaction.bind(db)
  db.transaction = ((run: (...args: never[]) => unknown) => {
    const t = transaction(run)
    return Object.assign((...args: never[]) => t(...args), {
      immediate: (...args: never[]) => {
        commits++
        return t.immediate(...args)
      },
    })
  }) as typeof db.transaction
  const a = new SqliteQueueAdapter(db)
  a.setSubscriptions([{ id: 's', topic: 't', config }])
  let claimed: Promise<QueueMessage[]> | undefined
  a.onReady((s) => {
    claimed ??= a.claim(s, 10)
  })
  await a.enqueue({ topic: 't', data: 'one', traceId: 'x' })
  expect({ data: (await claimed!).map((m) => m.data), commits }).toEqual({ data: ['one'], commits: 1 })
  await a.close()
  db.close()
})

test('an ack is committed with the next write (or alone a few ms later), and settles with that commit', async () => {
  const path = file()
  const a = SqliteQueueAdapter.open(path)
  a.setSubscriptions([{ id: 's', topic: 't', config }])
  const other = new Database(path)
  const stored = () => other.query<{ data: string }, []>('SELECT data FROM motia_queue ORDER BY id').all()
  await a.enqueue({ topic: 't', data: 'first', traceId: 'x' })
  const [first] = await a.claim('s', 1)
  let acked = false
  const ack = a.ack(first!.id).then(() => {
    acked = true
  })
  await new Promise((r) => setImmediate(r))
  expect({ acked, stored: stored() }).toEqual({ acked: false, stored: [{ data: '"first"' }] })
  await a.enqueue({ topic: 't', data: 'second', traceId: 'x' })
  expect({ acked, stored: stored() }).toEqual({ acked: true, stored: [{ data: '"second"' }] })
  const [second] = await a.claim('s', 1)
  await Promise.all([ack, a.ack(second!.id)])
  expect(stored()).toEqual([])
  other.close()
  await a.close()
})
