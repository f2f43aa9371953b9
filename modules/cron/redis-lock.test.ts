import { afterAll, expect, test } from 'bun:test'
import { dropPrefix, freshPrefix, redisForTests, TEST_REDIS_URL } from '../../test/support/redis'
import { RedisTickLock } from './redis-lock'

const up = await redisForTests('cron lock')
const prefix = freshPrefix('cron')
afterAll(async () => {
  if (up) await dropPrefix(prefix)
})

if (up) {
  test('three instances ask for the same ticks at once: each tick goes to exactly one', async () => {
    const locks = await Promise.all([1, 2, 3].map(() => RedisTickLock.connect({ url: TEST_REDIS_URL, prefix })))
    try {
      const ticks = Array.from({ length: 50 }, (_, i) => 1_700_000_000_000 + i * 1000)
      const wins = await Promise.all(
        ticks.map(async (at) => (await Promise.all(locks.map((l) => l.claim('job#0', at)))).filter(Boolean).length),
      )
      expect(wins).toEqual(ticks.map(() => 1))
      // Another trigger's tick at the same time is its own.
      expect(await locks[0]!.claim('other#0', ticks[0]!)).toBe(true)
    } finally {
      await Promise.all(locks.map((l) => l.close()))
    }
  })

  test('a Redis that cannot be reached at start-up is one error naming the URL', async () => {
    await expect(RedisTickLock.connect({ url: 'redis://127.0.0.1:1', prefix })).rejects.toMatchObject({
      code: 'E_REDIS_UNAVAILABLE',
      message: expect.stringContaining('redis://127.0.0.1:1'),
    })
  })
}
