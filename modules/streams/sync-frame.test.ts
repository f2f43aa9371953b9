import { describe, expect, test } from 'bun:test'
import { encodeMessage } from './protocol'
import { groupSyncFrame } from './sync-frame'

const head = { streamName: 's', groupId: 'g', timestamp: 7 }
const items = (n: number, text = 'x') => [...Array(n).keys()].map((i) => ({ id: `i${i}`, text }))
const unbounded = { maxSyncItems: Number.POSITIVE_INFINITY, maxSyncBytes: Number.POSITIVE_INFINITY }

describe('group sync frames', () => {
  test('within the bounds: the same bytes as any other server message', () => {
    const all = items(3)
    const sync = groupSyncFrame(head, all, unbounded)
    expect(sync).toEqual({
      frame: encodeMessage({ ...head, event: { type: 'sync', data: all } }),
      sent: 3,
      truncated: false,
    })
    expect(groupSyncFrame(head, [], { maxSyncItems: 1, maxSyncBytes: 100 }).frame).toBe(
      '{"streamName":"s","groupId":"g","timestamp":7,"event":{"type":"sync","data":[]}}',
    )
  })

  test('past maxSyncItems: the newest items, in creation order, marked truncated', () => {
    const sync = groupSyncFrame(head, items(10), { maxSyncItems: 3, maxSyncBytes: 1e6 })
    expect(JSON.parse(sync.frame)).toEqual({
      ...head,
      event: { type: 'sync', data: items(10).slice(7), truncated: true, total: 10 },
    })
    expect([sync.sent, sync.truncated]).toEqual([3, true])
  })

  test('past maxSyncBytes: the newest items whose frame fits, counted in UTF-8 bytes', () => {
    const all = items(100, 'é'.repeat(50)) // ~120 bytes an item, ~60 characters
    for (const max of [1000, 4096, 10_000]) {
      const sync = groupSyncFrame(head, all, { maxSyncItems: 1000, maxSyncBytes: max })
      const size = Buffer.byteLength(sync.frame)
      expect(size).toBeLessThanOrEqual(max)
      expect(size).toBeGreaterThan(max - 130) // one more item would not have fit
      const data = JSON.parse(sync.frame).event.data
      expect(data).toEqual(all.slice(100 - data.length))
    }
  })

  test('a frame exactly at the limit is not truncated; one byte less is', () => {
    const all = items(5)
    const whole = groupSyncFrame(head, all, unbounded).frame
    const max = Buffer.byteLength(whole)
    expect(groupSyncFrame(head, all, { maxSyncItems: 5, maxSyncBytes: max }).frame).toBe(whole)
    expect(groupSyncFrame(head, all, { maxSyncItems: 5, maxSyncBytes: max - 1 }).truncated).toBe(true)
  })

  test('an item larger than the whole budget leaves an empty, truncated sync', () => {
    const sync = groupSyncFrame(head, [{ id: 'big', text: 'x'.repeat(500) }], { maxSyncItems: 10, maxSyncBytes: 200 })
    expect(JSON.parse(sync.frame).event).toEqual({ type: 'sync', data: [], truncated: true, total: 1 })
  })
})
