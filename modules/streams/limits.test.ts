import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { configSchema, type StreamsConfig } from '../../runtime/config/schema'
import { STREAM_LIMIT_DEFAULTS, streamLimits } from './limits'
import { clientTextFrame, rawUpgrade, type StreamsTestRuntime, startProject, TestClient } from './test-harness'

let t: StreamsTestRuntime
beforeAll(async () => {
  t = await startProject({
    files: {
      'steps/todo.stream.ts': `export const config = { name: 'todo', schema: { type: 'object' }, baseConfig: { storageType: 'default' } }`,
    },
    config:
      'streams:\n  port: 0\n  maxPayload: 4kb\n  backpressureLimit: 256kb\n  maxIdLength: 64\n  maxSubscriptions: 4\n  maxSyncItems: 2\n',
  })
})
afterAll(() => t.stop())

describe('bad input', () => {
  test('malformed, unknown and incomplete frames get an error frame; the connection stays open', async () => {
    const c = await TestClient.connect(t.url)
    c.send('{not json')
    c.send({ type: 'subscribe', data: {} })
    c.send([1, 2])
    c.send({ type: 'join', data: { streamName: 'todo', subscriptionId: 's1' } })
    c.send({ type: 'join', data: { streamName: 'todo', groupId: 'g', id: 5, subscriptionId: 's2' } })
    c.send({ type: 'join', data: { streamName: 'nope', groupId: 'g', subscriptionId: 's3' } })
    c.join('todo', 'g')
    await c.sync('todo', 'g')
    const errors = c.frames.filter((m) => m.type === 'error')
    expect(errors.map((m) => m.error.code)).toEqual([
      'STREAM_MALFORMED_JSON',
      'STREAM_UNKNOWN_MESSAGE',
      'STREAM_UNKNOWN_MESSAGE',
      'STREAM_INVALID_SUBSCRIPTION',
      'STREAM_INVALID_SUBSCRIPTION',
      'STREAM_NOT_FOUND',
    ])
    expect(errors[1]).toEqual({
      type: 'error',
      error: { code: 'STREAM_UNKNOWN_MESSAGE', message: 'expected a "join" or "leave" message, got "subscribe"' },
    })
    expect(errors[3].error.message).toBe('join: data.groupId must be a non-empty string')
    expect(errors[5]).toEqual({
      type: 'error',
      error: { code: 'STREAM_NOT_FOUND', message: 'no stream named "nope"' },
      subscriptionId: 's3',
    })
    expect(c.ws.readyState).toBe(WebSocket.OPEN)
    c.close()
  })

  test('a frame over maxPayload closes the socket with 1009', async () => {
    const c = await TestClient.connect(t.url)
    c.send({ type: 'join', data: { streamName: 'todo', groupId: 'x'.repeat(5000), subscriptionId: 's' } })
    expect((await c.closed).code).toBe(1009)
  })

  test('a frame just under maxPayload is accepted', async () => {
    const c = await TestClient.connect(t.url)
    c.send({
      type: 'join',
      data: { streamName: 'todo', groupId: 'padded', subscriptionId: 's' },
      pad: 'y'.repeat(3900),
    })
    expect((await c.sync('todo', 'padded')).event.data).toEqual([])
    c.close()
  })
})

describe('configured limits', () => {
  test('maxIdLength, maxSubscriptions and maxSyncItems from config.yaml apply', async () => {
    const c = await TestClient.connect(t.url)
    c.join('todo', 'g'.repeat(65))
    c.join('todo', 'g'.repeat(64))
    await c.sync('todo', 'g'.repeat(64))
    for (const id of ['a', 'b', 'c']) await t.call('todo', 'set', 'three', id, {})
    c.join('todo', 'three')
    for (const groupId of ['x', 'y', 'z']) c.join('todo', groupId) // the fifth subscription
    const refused = await c.next((m) => m.error?.code === 'STREAM_TOO_MANY_SUBSCRIPTIONS')
    expect(refused.error.message).toBe('a socket may hold at most 4 subscriptions (streams.maxSubscriptions)')
    expect(c.frames[0].error.message).toBe('join: data.groupId is 65 bytes, over the limit of 64 (streams.maxIdLength)')
    expect((await c.sync('todo', 'three')).event).toEqual({
      type: 'sync',
      data: [{ id: 'b' }, { id: 'c' }],
      truncated: true,
      total: 3,
    })
    expect(t.records.filter((r) => r.msg.includes('was truncated')).map((r) => r.msg)).toEqual([
      'streams: a group sync of stream "todo" was truncated to its newest 2 of 3 items (streams.maxSyncItems / streams.maxSyncBytes); warned once per stream',
    ])
    c.close()
  })

  test('unset limits take their defaults; a sync never exceeds backpressureLimit', () => {
    const parse = (streams: object) => ({ host: '', ...configSchema.parse({ streams }).streams }) as StreamsConfig
    expect(streamLimits(parse({}))).toEqual(STREAM_LIMIT_DEFAULTS)
    expect(streamLimits(parse({ maxIdLength: '1kb', maxSubscriptionBytes: '64kb', maxSyncBytes: '4mb' }))).toEqual({
      ...STREAM_LIMIT_DEFAULTS,
      maxIdLength: 1024,
      maxSubscriptionBytes: 65_536,
      maxSyncBytes: 1024 ** 2,
    })
    expect(streamLimits(parse({ backpressureLimit: '8mb', maxSyncBytes: '4mb' })).maxSyncBytes).toBe(4 * 1024 ** 2)
    const problems = configSchema.safeParse({ streams: { maxSyncItems: 0, maxIdLength: 0 } }).error?.issues
    expect(problems?.map((p) => `${p.path.join('.')}: ${p.message}`)).toEqual([
      'streams.maxIdLength: expected a size above 0, got 0',
      'streams.maxSyncItems: expected an integer of at least 1, got 0',
    ])
  })
})

describe('slow clients', () => {
  test('a client that stops reading is dropped at the backpressure limit; others get everything', async () => {
    // A raw socket that joins, then never reads again: the kernel buffers fill, then Bun's
    // per-socket queue reaches backpressureLimit (256kb here) and Bun closes the socket.
    const stalled = await rawUpgrade(t.url)
    expect(stalled.status).toBe(101)
    let head = ''
    const synced = new Promise<void>((resolve) => {
      const onData = (d: Buffer) => {
        head += d.toString('latin1')
        if (!head.includes('"sync"')) return
        stalled.socket.off('data', onData)
        resolve()
      }
      stalled.socket.on('data', onData)
    })
    stalled.socket.write(
      clientTextFrame(
        JSON.stringify({ type: 'join', data: { streamName: 'todo', groupId: 'firehose', subscriptionId: 'z' } }),
      ),
    )
    await synced
    stalled.socket.pause()
    let received = 0
    let sample = ''
    stalled.socket.on('data', (d: Buffer) => {
      received += d.length
      if (sample.length < 200) sample += d.toString('latin1', 0, 200)
    })
    const ended = new Promise<void>((resolve) => stalled.socket.once('close', () => resolve()))
    const good = await TestClient.connect(t.url)
    good.join('todo', 'firehose')
    await good.sync('todo', 'firehose')

    const chunk = 'x'.repeat(64 * 1024)
    const batches = 40
    const perBatch = 16 // 40 × 16 × 64kb ≈ 42 MB published
    let sent = 0
    for (let b = 0; b < batches; b++) {
      for (let i = 0; i < perBatch; i++) {
        await t.call('todo', 'send', { groupId: 'firehose' }, { type: 'chunk', data: { n: sent++, chunk } })
      }
      const last = sent - 1
      // Flow control for the reading client: wait until it has the batch.
      await good.next((m) => m.event?.event?.data?.n === last)
    }
    const chunks = good.frames.filter((m) => m.event?.event?.type === 'chunk')
    expect(chunks.length).toBe(sent)
    expect(chunks.map((m) => m.event.event.data.n)).toEqual([...Array(sent).keys()])

    stalled.socket.resume()
    await ended // only a server-side close ends it: the test would time out otherwise
    const published = sent * chunk.length
    expect(sample).toContain('"type":"chunk"') // it was subscribed, and got some before it stalled
    expect(received).toBeLessThan(published / 2)
    good.close()
  })
})
