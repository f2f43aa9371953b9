import { afterAll, afterEach, expect, test } from 'bun:test'
import Redis from 'ioredis'
import { dropPrefix, freshPrefix, redisForTests, TEST_REDIS_URL } from '../../../test/support/redis'
import type { QueueAdapter } from '../adapter'
import { type Clock, queueAdapterSuite } from '../adapter.suite'
import { BullmqQueueAdapter } from './bullmq'

const up = await redisForTests('QueueAdapter: redis (BullMQ)')
const prefixes: string[] = []
const realNow = Date.now
afterEach(() => {
  Date.now = realNow
})
afterAll(async () => {
  for (const p of prefixes) await dropPrefix(p)
})

/**
 * The suite's clock drives BullMQ, which reads Date.now() for every delay and backoff. Redis's
 * own clock cannot be injected: the lease (BullMQ's job lock) and its stalled-check throttle are
 * key TTLs, so before the adapter looks at them the test ages those keys by the time the clock
 * advanced, as if that time had passed on the server.
 */
async function withClock(clock: Clock): Promise<QueueAdapter> {
  const prefix = freshPrefix('queue')
  prefixes.push(prefix)
  Date.now = () => clock.now()
  const a = await BullmqQueueAdapter.connect({ url: TEST_REDIS_URL, prefix })
  let agedAt = clock.now()
  const age = async () => {
    const delta = clock.now() - agedAt
    agedAt = clock.now()
    if (delta <= 0) return
    const r = new Redis(TEST_REDIS_URL)
    try {
      for (const pattern of [`${prefix}:bull:*:lock`, `${prefix}:bull:*:stalled-check`]) {
        for (const key of await r.keys(pattern)) {
          const ttl = await r.pttl(key)
          if (ttl > delta) await r.pexpire(key, ttl - delta)
          else await r.del(key)
        }
      }
    } finally {
      r.disconnect()
    }
  }
  const recover = a.recoverExpired.bind(a)
  a.recoverExpired = async () => {
    await age()
    return recover()
  }
  return a
}

if (up) queueAdapterSuite('redis (BullMQ)', withClock)

if (up) {
  test('a process killed with SIGKILL mid-job: its jobs are taken over by another once their lock expires', async () => {
    const prefix = freshPrefix('queue-kill')
    prefixes.push(prefix)
    const sub = {
      id: 's',
      topic: 't',
      config: {
        type: 'standard' as const,
        maxRetries: 3,
        backoffType: 'fixed' as const,
        backoffDelayMs: 10,
        concurrency: 100,
        visibilityTimeout: 1,
        delaySeconds: 0,
      },
    }
    const survivor = await BullmqQueueAdapter.connect({ url: TEST_REDIS_URL, prefix })
    const child = Bun.spawn(
      [process.execPath, `${import.meta.dir}/fixtures/bullmq-claimer.ts`, TEST_REDIS_URL, prefix],
      { stdout: 'pipe', stderr: 'inherit' },
    )
    try {
      await survivor.setSubscriptions([sub])
      const sent = await Promise.all(
        Array.from({ length: 20 }, (_, i) => survivor.enqueue({ topic: 't', data: i, traceId: 'x' })),
      )
      const reader = child.stdout.getReader()
      const { value } = await reader.read()
      const taken = JSON.parse(new TextDecoder().decode(value)) as string[]
      expect(taken.sort()).toEqual(sent.flat().sort())
      expect(await survivor.claim('s', 100)).toEqual([])
      child.kill('SIGKILL')
      await child.exited
      // Lock expiry is Redis's clock (1 s here); BullMQ's stalled check runs on each sweep.
      const recovered: string[] = []
      const deadline = performance.now() + 10_000
      while (recovered.length < 20 && performance.now() < deadline) {
        await survivor.recoverExpired()
        const batch = await survivor.claim('s', 100)
        for (const m of batch) {
          expect(m.attempt).toBe(2)
          recovered.push(m.id)
          await survivor.ack(m.id)
        }
        if (batch.length === 0) await Bun.sleep(100)
      }
      expect(recovered.sort()).toEqual(taken.sort())
      expect((await survivor.stats())[0]).toMatchObject({ ready: 0, inFlight: 0, dead: 0 })
    } finally {
      child.kill('SIGKILL')
      await survivor.close()
    }
  })
}
