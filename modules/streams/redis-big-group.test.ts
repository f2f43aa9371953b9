// A group far past what one Lua `unpack` takes (~8k) on the Redis adapter: joins get their
// bounded sync and live events, on every client, first and later ones alike.
import { afterAll, expect, test } from 'bun:test'
import { dropPrefix, freshPrefix, redisForTests, TEST_REDIS_URL } from '../../test/support/redis'
import { startProject, TestClient } from './test-harness'

const up = await redisForTests('streams: a big group on redis')
const prefix = freshPrefix('streams-big-join')
afterAll(() => dropPrefix(prefix))

/** The group's sync or an error frame, whichever comes first. */
const syncOrError = (c: TestClient, groupId: string) =>
  c.next((m) => m.type === 'error' || (m.event?.type === 'sync' && m.groupId === groupId))

if (up) {
  test('a 50k-item group joins with its newest maxSyncItems, and live events reach every new client', async () => {
    await using t = await startProject({
      files: { 'steps/feed.stream.ts': `export const config = { name: 'feed', schema: { type: 'object' } }` },
      config: `streams:\n  port: 0\n  adapter: redis\nredis:\n  url: ${TEST_REDIS_URL}\n  prefix: ${prefix}\n`,
    })
    for (let i = 0; i < 50_000; i += 1000) {
      await Promise.all(Array.from({ length: 1000 }, (_, k) => t.call('feed', 'set', 'big', `i${i + k}`, { n: i + k })))
    }
    const first = await TestClient.connect(t.url)
    const second = await TestClient.connect(t.url)
    try {
      first.join('feed', 'big')
      const sync = await syncOrError(first, 'big')
      expect(sync.type).not.toBe('error')
      const ids: string[] = sync.event.data.map((item: { id: string }) => item.id)
      // Past streams.maxSyncItems (10,000 by default) the newest, in creation order (docs/streams.md).
      expect({ truncated: sync.event.truncated, total: sync.event.total, sent: ids.length }).toEqual({
        truncated: true,
        total: 50_000,
        sent: 10_000,
      })
      expect([ids[0], ids.at(-1)]).toEqual(['i40000', 'i49999'])

      await t.call('feed', 'set', 'big', 'late', { n: -1 })
      expect((await first.next((m) => m.event?.type === 'create')).event.data).toEqual({ n: -1, id: 'late' })

      second.join('feed', 'big')
      const later = await syncOrError(second, 'big')
      expect(later.event.total).toBe(50_001)
      expect(later.event.data.at(-1)).toEqual({ n: -1, id: 'late' })
      await t.call('feed', 'set', 'big', 'later', { n: -2 })
      const live = await Promise.all([first, second].map((c) => c.next((m) => m.id === 'later')))
      expect(live.map((m) => m.event)).toEqual(Array(2).fill({ type: 'create', data: { n: -2, id: 'later' } }))
      expect([...first.frames, ...second.frames].filter((m) => m.type === 'error')).toEqual([])
    } finally {
      first.close()
      second.close()
    }
  }, 60_000)
}
