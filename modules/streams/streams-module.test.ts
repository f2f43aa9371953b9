import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { barrier, type StreamsTestRuntime, startProject, TestClient } from './test-harness'

const FILES = {
  'steps/todo.stream.ts': `
    import { z } from 'zod'
    export const config = {
      name: 'todo',
      schema: z.object({ text: z.string(), done: z.boolean().optional() }),
      baseConfig: { storageType: 'default' },
    }
  `,
  'steps/on-inbox.step.ts': `
    export const config = { name: 'OnInbox', triggers: [{ type: 'stream', streamName: 'todo', groupId: 'inbox' }] }
    export const handler = async () => {}
  `,
  'steps/on-item.step.ts': `
    export const config = { name: 'OnItem', triggers: [{ type: 'stream', streamName: 'todo', itemId: 'watched' }] }
    export const handler = async () => {}
  `,
}

let t: StreamsTestRuntime
beforeAll(async () => {
  t = await startProject({ files: FILES })
})
afterAll(() => t.stop())

const kinds = (frames: any[]) =>
  frames.map((m) => [m.groupId, m.id, m.event.type, m.event.data?.text ?? m.event.event?.type])

describe('join and sync', () => {
  test('an item join syncs the item; a group join syncs the group in creation order', async () => {
    await t.call('todo', 'set', 'sync', 'b', { text: 'B' })
    await t.call('todo', 'set', 'sync', 'a', { text: 'A' })
    const c = await TestClient.connect(t.url)
    c.join('todo', 'sync', 'a')
    c.join('todo', 'sync')
    c.join('todo', 'sync', 'missing')
    const item = await c.sync('todo', 'sync', 'a')
    const group = await c.sync('todo', 'sync')
    const missing = await c.sync('todo', 'sync', 'missing')
    expect(item).toEqual({
      streamName: 'todo',
      groupId: 'sync',
      id: 'a',
      timestamp: expect.any(Number),
      event: { type: 'sync', data: { text: 'A', id: 'a' } },
    })
    expect(group).toEqual({
      streamName: 'todo',
      groupId: 'sync',
      timestamp: expect.any(Number),
      event: {
        type: 'sync',
        data: [
          { text: 'B', id: 'b' },
          { text: 'A', id: 'a' },
        ],
      },
    })
    expect(missing.event).toEqual({ type: 'sync', data: null })
    c.close()
  })
})

describe('delivery', () => {
  test('create/update/delete/event reach item and group subscribers exactly once each', async () => {
    const itemSub = await TestClient.connect(t.url)
    const groupSub = await TestClient.connect(t.url)
    const other = await TestClient.connect(t.url)
    const all = [itemSub, groupSub, other]
    itemSub.join('todo', 'g1', 'x')
    groupSub.join('todo', 'g1')
    other.join('todo', 'g2')
    for (const c of all) c.join('todo', 'barrier')
    await Promise.all([itemSub.sync('todo', 'g1', 'x'), groupSub.sync('todo', 'g1'), other.sync('todo', 'g2')])
    await Promise.all(all.map((c) => c.sync('todo', 'barrier')))

    const created = await t.call('todo', 'set', 'g1', 'x', { text: 'one' })
    expect(created).toEqual({ old_value: null, new_value: { text: 'one', id: 'x' } })
    await t.call('todo', 'set', 'g1', 'x', { text: 'two' })
    await t.call('todo', 'update', 'g1', 'x', [{ type: 'set', path: 'done', value: true }])
    await t.call('todo', 'set', 'g1', 'y', { text: 'other item' })
    await t.call('todo', 'send', { groupId: 'g1', id: 'x' }, { type: 'typing', data: { who: 'ann' } })
    await t.call('todo', 'send', { groupId: 'g1' }, { type: 'hello' })
    expect(await t.call('todo', 'delete', 'g1', 'x')).toEqual({ text: 'two', done: true, id: 'x' })
    expect(await t.call('todo', 'delete', 'g1', 'x')).toBeNull()
    await barrier(t, all, 'todo', 'barrier', 'flush-1')

    const live = (c: TestClient) => c.framesBefore('flush-1').filter((m) => m.event.type !== 'sync')
    expect(kinds(live(itemSub))).toEqual([
      ['g1', 'x', 'create', 'one'],
      ['g1', 'x', 'update', 'two'],
      ['g1', 'x', 'update', 'two'],
      ['g1', 'x', 'event', 'typing'],
      ['g1', 'x', 'delete', 'two'],
    ])
    expect(kinds(live(groupSub))).toEqual([
      ['g1', 'x', 'create', 'one'],
      ['g1', 'x', 'update', 'two'],
      ['g1', 'x', 'update', 'two'],
      ['g1', 'y', 'create', 'other item'],
      ['g1', 'x', 'event', 'typing'],
      ['g1', undefined, 'event', 'hello'],
      ['g1', 'x', 'delete', 'two'],
    ])
    expect(live(other)).toEqual([])
    // The exact frames: item events carry the item (with id), custom events their payload.
    expect(live(itemSub)[2]).toEqual({
      streamName: 'todo',
      groupId: 'g1',
      id: 'x',
      timestamp: expect.any(Number),
      event: { type: 'update', data: { text: 'two', done: true, id: 'x' } },
    })
    expect(live(groupSub)[5]).toEqual({
      streamName: 'todo',
      groupId: 'g1',
      timestamp: expect.any(Number),
      event: { type: 'event', event: { type: 'hello' } },
    })
    expect(live(itemSub)[3].event).toEqual({ type: 'event', event: { type: 'typing', data: { who: 'ann' } } })
    for (const c of all) c.close()
  })

  test('leave stops delivery; two subscriptions on one room survive one leave', async () => {
    const c = await TestClient.connect(t.url)
    const first = c.join('todo', 'lv')
    const second = c.join('todo', 'lv')
    const item = c.join('todo', 'lv', 'i')
    c.join('todo', 'barrier')
    await c.sync('todo', 'barrier')
    c.leave('todo', 'lv', first)
    c.leave('todo', 'lv', item, 'i')
    // Frames are handled in order: the sync of a later join means the leaves are done.
    c.join('todo', 'fence-1')
    await c.sync('todo', 'fence-1')
    await t.call('todo', 'set', 'lv', 'i', { text: 'still grouped' })
    c.leave('todo', 'lv', second)
    c.join('todo', 'fence-2')
    await c.sync('todo', 'fence-2')
    await t.call('todo', 'set', 'lv', 'i', { text: 'gone' })
    await barrier(t, [c], 'todo', 'barrier', 'flush-2')
    const live = c.framesBefore('flush-2').filter((m) => m.event.type !== 'sync')
    expect(kinds(live)).toEqual([['lv', 'i', 'create', 'still grouped']])
    c.close()
  })

  test('timestamps are strictly increasing, including across a burst in one millisecond', async () => {
    const c = await TestClient.connect(t.url)
    c.join('todo', 'ts')
    c.join('todo', 'barrier')
    await c.sync('todo', 'ts')
    await c.sync('todo', 'barrier')
    await Promise.all(Array.from({ length: 50 }, (_, i) => t.call('todo', 'set', 'ts', `k${i}`, { text: `${i}` })))
    await barrier(t, [c], 'todo', 'barrier', 'flush-3')
    const stamps = c.framesBefore('flush-3').map((m) => m.timestamp)
    expect(stamps.length).toBe(52)
    for (let i = 1; i < stamps.length; i++) expect(stamps[i]).toBeGreaterThan(stamps[i - 1])
    c.close()
  })

  test('the API port accepts stream sockets too, and gets the same fan-out', async () => {
    const api = await TestClient.connect(t.apiUrl)
    const own = await TestClient.connect(t.url)
    api.join('todo', 'ports')
    own.join('todo', 'ports')
    await Promise.all([api.sync('todo', 'ports'), own.sync('todo', 'ports')])
    await t.call('todo', 'set', 'ports', 'p', { text: 'both' })
    const [a, b] = await Promise.all([
      api.next((m) => m.event.type === 'create'),
      own.next((m) => m.event.type === 'create'),
    ])
    expect(a).toEqual(b)
    expect(a.event.data).toEqual({ text: 'both', id: 'p' })
    api.close()
    own.close()
  })
})

describe('the engine service', () => {
  test('unknown stream names fail with the known ones listed; bad arguments are named', async () => {
    await expect(t.call('todos', 'get', 'g', 'x')).rejects.toThrow(
      'no stream named "todos" is defined (known streams: todo)',
    )
    expect(t.rt.engine.hasStream('todo')).toBe(true)
    expect(t.rt.engine.hasStream('todos')).toBe(false)
    await expect(t.call('todo', 'set', 'g', 'x', 'text')).rejects.toThrow('data must be a JSON object, got string')
    await expect(t.call('todo', 'get', 7, 'x')).rejects.toThrow('groupId must be a string, got number')
    await expect(t.call('todo', 'send', { groupId: 'g' }, {})).rejects.toThrow('event.type must be a string')
  })

  test('dev mode warns when an item does not match the schema, and stores it anyway', async () => {
    const r = await t.call('todo', 'set', 'schema', 'bad', { text: 42 })
    expect(r.new_value).toEqual({ text: 42, id: 'bad' })
    const warning = t.records.find((l) => l.level === 'warn' && l.msg.includes('item "bad" does not match'))
    expect(warning?.msg).toBe(
      'stream "todo": item "bad" does not match the stream schema (steps/todo.stream.ts); stored anyway',
    )
    expect(await t.call('todo', 'get', 'schema', 'bad')).toEqual({ text: 42, id: 'bad' })
  })
})

describe('stream triggers', () => {
  test('matching steps run with the wire message as input; group and item filters apply', async () => {
    t.jobs.length = 0
    await t.call('todo', 'set', 'inbox', 'n1', { text: 'new' })
    await t.call('todo', 'send', { groupId: 'inbox' }, { type: 'ping', data: 1 })
    await t.call('todo', 'set', 'elsewhere', 'watched', { text: 'w' })
    await t.call('todo', 'delete', 'elsewhere', 'watched')
    await t.call('todo', 'set', 'elsewhere', 'ignored', { text: 'no trigger' })
    const seen = t.jobs.map((j) => ({ step: j.step.name, type: j.def.type, traceId: j.traceId, input: j.input }))
    expect(seen).toEqual([
      {
        step: 'OnInbox',
        type: 'stream',
        traceId: 'test-trace',
        input: {
          type: 'stream',
          timestamp: expect.any(Number),
          streamName: 'todo',
          groupId: 'inbox',
          id: 'n1',
          event: { type: 'create', data: { text: 'new', id: 'n1' } },
        },
      },
      {
        step: 'OnInbox',
        type: 'stream',
        traceId: 'test-trace',
        input: {
          type: 'stream',
          timestamp: expect.any(Number),
          streamName: 'todo',
          groupId: 'inbox',
          event: { type: 'event', event: { type: 'ping', data: 1 } },
        },
      },
      {
        step: 'OnItem',
        type: 'stream',
        traceId: 'test-trace',
        input: expect.objectContaining({
          groupId: 'elsewhere',
          id: 'watched',
          event: { type: 'create', data: { text: 'w', id: 'watched' } },
        }),
      },
      {
        step: 'OnItem',
        type: 'stream',
        traceId: 'test-trace',
        input: expect.objectContaining({
          id: 'watched',
          event: { type: 'delete', data: { text: 'w', id: 'watched' } },
        }),
      },
    ])
  })
})

describe('storage', () => {
  test('sqlite items persist across a restart of the runtime', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'motia-streams-restart-'))
    try {
      const first = await startProject({ files: FILES, dir })
      await first.call('todo', 'set', 'keep', 'k1', { text: 'kept' })
      await first.call('todo', 'update', 'keep', 'k2', [{ type: 'set', path: 'text', value: 'made by update' }])
      await first.stop()
      const second = await startProject({ files: {}, dir })
      try {
        const c = await TestClient.connect(second.url)
        c.join('todo', 'keep')
        expect((await c.sync('todo', 'keep')).event.data).toEqual([
          { text: 'kept', id: 'k1' },
          { text: 'made by update', id: 'k2' },
        ])
        c.close()
      } finally {
        await second.stop()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
