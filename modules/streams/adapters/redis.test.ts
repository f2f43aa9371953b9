import { afterAll, expect, test } from 'bun:test'
import { dropPrefix, freshPrefix, redisForTests, TEST_REDIS_URL } from '../../../test/support/redis'
import { type StreamChange, writtenAt } from '../adapter'
import { streamAdapterSuite } from '../adapter.suite'
import { RedisStreamAdapter } from './redis'

const up = await redisForTests('stream adapter: redis')
const prefixes: string[] = []
afterAll(async () => {
  for (const p of prefixes) await dropPrefix(p)
})
const target = (label: string) => {
  const prefix = freshPrefix(label)
  prefixes.push(prefix)
  return { url: TEST_REDIS_URL, prefix }
}

/** Resolves with the first `n` changes the adapter delivers. */
function collect(a: RedisStreamAdapter, n: number): Promise<StreamChange[]> {
  const got: StreamChange[] = []
  return new Promise((resolve) => {
    const off = a.subscribe((c) => {
      got.push(c)
      if (got.length === n) {
        off()
        resolve(got)
      }
    })
  })
}

if (up) {
  streamAdapterSuite('redis', async () => {
    const t = target('streams')
    let current = await RedisStreamAdapter.connect(t)
    return {
      adapter: current,
      async reopen() {
        await current.close()
        current = await RedisStreamAdapter.connect(t)
        return current
      },
    }
  })

  test('two instances: every write reaches both subscribers in one order, with timestamps strictly increasing', async () => {
    const t = target('streams-fanout')
    const a = await RedisStreamAdapter.connect(t)
    const b = await RedisStreamAdapter.connect(t)
    try {
      const seenA = collect(a, 200)
      const seenB = collect(b, 200)
      const stamps: number[] = []
      await Promise.all(
        Array.from({ length: 100 }, async (_, i) => {
          const writer = i % 2 === 0 ? a : b
          const r = await writer.update('counter', 'g', `item-${i % 5}`, [{ type: 'increment', path: 'n', by: 1 }])
          stamps.push(writtenAt(r)!)
          const old = await writer.set('log', 'g', `e${i}`, { i })
          stamps.push(writtenAt(old)!)
        }),
      )
      const [fromA, fromB] = await Promise.all([seenA, seenB])
      expect(fromB).toEqual(fromA)
      const ts = fromA.map((c) => c.timestamp)
      expect(ts).toEqual([...ts].sort((x, y) => x - y))
      expect(new Set(ts).size).toBe(200)
      expect(new Set(stamps)).toEqual(new Set(ts))
      // Per item, the counter's values arrive in order: 1, 2, 3, ...
      for (let k = 0; k < 5; k++) {
        const ns = fromA
          .filter((c) => c.id === `item-${k}`)
          .map((c) => (c.event as unknown as { data: { n: number } }).data.n)
        expect(ns).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
      }
      expect(fromA.filter((c) => c.streamName === 'log').map((c) => c.event.type)).toEqual(Array(100).fill('create'))
      // The local clock never runs behind a timestamp the store gave out.
      expect(a.now()).toBeGreaterThan(Math.max(...ts))
    } finally {
      await a.close()
      await b.close()
    }
  })

  test('delete and send() reach the other instance; deleting nothing publishes nothing', async () => {
    const t = target('streams-events')
    const a = await RedisStreamAdapter.connect(t)
    const b = await RedisStreamAdapter.connect(t)
    try {
      const seen = collect(b, 3)
      await a.set('todo', 'inbox', 't1', { text: 'milk' })
      expect(await a.delete('todo', 'inbox', 'nope')).toBeNull()
      await a.delete('todo', 'inbox', 't1')
      await a.announce({
        streamName: 'todo',
        groupId: 'inbox',
        timestamp: a.now(),
        event: { type: 'event', event: { type: 'typing', data: { who: 'x' } } },
      })
      const changes = await seen
      expect(changes.map((c) => ({ ...c, timestamp: 0 }))).toEqual([
        {
          streamName: 'todo',
          groupId: 'inbox',
          id: 't1',
          timestamp: 0,
          event: { type: 'create', data: { text: 'milk', id: 't1' } },
        },
        {
          streamName: 'todo',
          groupId: 'inbox',
          id: 't1',
          timestamp: 0,
          event: { type: 'delete', data: { text: 'milk', id: 't1' } },
        },
        {
          streamName: 'todo',
          groupId: 'inbox',
          timestamp: 0,
          event: { type: 'event', event: { type: 'typing', data: { who: 'x' } } },
        },
      ])
    } finally {
      await a.close()
      await b.close()
    }
  })
}

/** Writes `n` items `i0…i<n-1>` to `stream`/`group`, 1,000 in flight at a time. */
async function fillGroup(a: RedisStreamAdapter, stream: string, group: string, n: number): Promise<void> {
  for (let i = 0; i < n; i += 1000) {
    await Promise.all(
      Array.from({ length: Math.min(1000, n - i) }, (_, k) => a.set(stream, group, `i${i + k}`, { n: i + k })),
    )
  }
}

if (up) {
  test('getGroup of a 50k-item group returns every item in creation order (no Lua unpack limit)', async () => {
    const a = await RedisStreamAdapter.connect(target('streams-big'))
    try {
      await fillGroup(a, 'feed', 'big', 50_000)
      const items = await a.getGroup('feed', 'big')
      expect(items.length).toBe(50_000)
      expect(items.every((item, i) => item.id === `i${i}` && item.n === i)).toBe(true)
    } finally {
      await a.close()
    }
  }, 60_000)
}
