import { afterAll, expect, test } from 'bun:test'
import { join } from 'node:path'
import { dropPrefix, freshPrefix, redisForTests, TEST_REDIS_URL } from '../../../test/support/redis'
import { stateAdapterSuite } from '../adapter.suite'
import { RedisStateAdapter } from './redis'

const up = await redisForTests('StateAdapter: redis')
const prefixes: string[] = []
afterAll(async () => {
  for (const p of prefixes) await dropPrefix(p)
})
let last = ''
const make = () => {
  last = freshPrefix('state')
  prefixes.push(last)
  return RedisStateAdapter.connect({ url: TEST_REDIS_URL, prefix: last })
}

if (up) {
  stateAdapterSuite('redis', make, {
    openAgain: () => RedisStateAdapter.connect({ url: TEST_REDIS_URL, prefix: last }),
  })

  test('3 processes × 200 concurrent increments of one key end exact, each old value seen once', async () => {
    const prefix = freshPrefix('state-procs')
    prefixes.push(prefix)
    const fixture = join(import.meta.dir, 'fixtures', 'redis-increment.ts')
    const procs = Array.from({ length: 3 }, () =>
      Bun.spawn([process.execPath, fixture, TEST_REDIS_URL, prefix, '200'], { stdout: 'pipe', stderr: 'inherit' }),
    )
    const outs = await Promise.all(
      procs.map(async (p) => JSON.parse(await new Response(p.stdout).text()) as { olds: number[] }),
    )
    expect(await Promise.all(procs.map((p) => p.exited))).toEqual([0, 0, 0])
    const a = await RedisStateAdapter.connect({ url: TEST_REDIS_URL, prefix })
    try {
      expect(await a.get('g', 'shared')).toEqual({ n: 600 })
      const olds = outs.flatMap((o) => o.olds).sort((x, y) => x - y)
      expect(olds).toEqual(Array.from({ length: 600 }, (_, i) => i))
    } finally {
      await a.close()
    }
  })

  test('keys live under redis.prefix; a key named __proto__ stays a key', async () => {
    const prefix = freshPrefix('state-keys')
    prefixes.push(prefix)
    const a = await RedisStateAdapter.connect({ url: TEST_REDIS_URL, prefix })
    try {
      await a.set('g', '__proto__', 1)
      expect(await a.entries('g')).toEqual([{ key: '__proto__', value: 1 }])
    } finally {
      await a.close()
    }
  })

  test('a delete landing between set and its group join leaves the group unlisted', async () => {
    const prefix = freshPrefix('state-join')
    prefixes.push(prefix)
    const a = await RedisStateAdapter.connect({ url: TEST_REDIS_URL, prefix })
    try {
      // One connection, one event-loop turn: Redis runs SET, then the delete, then set's join.
      const [written, old] = await Promise.all([a.set('race', 'k', 1), a.delete('race', 'k')])
      expect({ written, old, groups: await a.listGroups(), entries: await a.entries('race') }).toEqual({
        written: { old_value: null, new_value: 1 },
        old: 1,
        groups: [],
        entries: [],
      })
    } finally {
      await a.close()
    }
  })

  test('start-up against a Redis nobody runs: one error naming the URL', async () => {
    const url = 'redis://127.0.0.1:1'
    await expect(RedisStateAdapter.connect({ url, prefix: 'x' })).rejects.toMatchObject({
      code: 'E_REDIS_UNAVAILABLE',
      status: 503,
      message: expect.stringContaining('redis://127.0.0.1:1'),
    })
  })
}
