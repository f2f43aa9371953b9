import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { QueueConfig } from '../../../sdk/types'
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
