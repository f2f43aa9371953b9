import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type StreamsTestRuntime, startProject, TestClient } from '../../modules/streams/test-harness'
import { ensureBinary } from '../support/binary'

/**
 * Hostile stream clients: what one unauthenticated socket can make the server hold or send.
 * Loopback only, port 0, bounded in count and time. The memory probe runs the compiled binary
 * (`MOTIA_TEST_BINARY` names another build than dist/motia); the rest run in-process.
 */

const TODO = `export const config = { name: 'todo', schema: { type: 'object' }, baseConfig: { storageType: 'default' } }`

/** Error frames of the client, as `code: message`. */
const errors = (c: TestClient) =>
  c.frames.filter((m) => m.type === 'error').map((m) => `${m.error.code}: ${m.error.message}`)

describe('default limits, in-process', () => {
  let t: StreamsTestRuntime
  beforeAll(async () => {
    t = await startProject({
      files: { 'steps/todo.stream.ts': TODO },
      config: 'streams:\n  port: 0\n  adapter: memory\n',
    })
  })
  afterAll(() => t.stop())

  test('a stream name, group id, item id or subscription id over 256 bytes is refused, naming the field and the limit', async () => {
    const c = await TestClient.connect(t.url)
    const long = 'x'.repeat(257)
    const join = (data: Record<string, string>) =>
      c.send({ type: 'join', data: { streamName: 'todo', groupId: 'g', subscriptionId: 's', ...data } })
    join({ streamName: long })
    join({ groupId: long })
    join({ id: long })
    join({ subscriptionId: long })
    join({ groupId: 'é'.repeat(129) }) // 129 characters, 258 bytes: the limit is in bytes
    c.send({ type: 'leave', data: { streamName: 'todo', groupId: long, subscriptionId: 's' } })
    const ok = 'y'.repeat(256)
    c.send({ type: 'join', data: { streamName: 'todo', groupId: ok, id: ok, subscriptionId: ok } })
    expect((await c.sync('todo', ok, ok)).event).toEqual({ type: 'sync', data: null })
    const over = (field: string, bytes: number, verb = 'join') =>
      `STREAM_INVALID_SUBSCRIPTION: ${verb}: data.${field} is ${bytes} bytes, over the limit of 256 (streams.maxIdLength)`
    expect(errors(c)).toEqual([
      over('streamName', 257),
      over('groupId', 257),
      over('id', 257),
      over('subscriptionId', 257),
      over('groupId', 258),
      over('groupId', 257, 'leave'),
    ])
    expect(c.ws.readyState).toBe(WebSocket.OPEN)
    c.close()
  })

  test('subscriptions per socket are budgeted in bytes of ids as well as in count', async () => {
    const c = await TestClient.connect(t.url)
    // 4 + 256 + 256 bytes a subscription: 508 fit in the 256 KB budget, far fewer than 1,024.
    const join = (i: number) => {
      const subscriptionId = `${i}`.padStart(256, '0')
      c.send({ type: 'join', data: { streamName: 'todo', groupId: `g${i}`.padEnd(256, '.'), subscriptionId } })
      return subscriptionId
    }
    for (let i = 0; i < 600; i++) join(i)
    join(600)
    await c.next(() => c.frames.length >= 601) // one reply (sync or error) per join
    const refused = c.frames.filter((m) => m.type === 'error')
    expect(c.frames.filter((m) => m.event?.type === 'sync').length).toBe(508)
    expect(refused.length).toBe(600 - 508 + 1)
    expect(refused[0]).toEqual({
      type: 'error',
      error: {
        code: 'STREAM_TOO_MANY_SUBSCRIPTIONS',
        message:
          'the subscriptions of a socket may hold at most 262144 bytes of names and ids (streams.maxSubscriptionBytes)',
      },
      subscriptionId: `${508}`.padStart(256, '0'),
    })
    // A leave gives its bytes back.
    c.send({
      type: 'leave',
      data: { streamName: 'todo', groupId: 'g0'.padEnd(256, '.'), subscriptionId: '0'.padStart(256, '0') },
    })
    join(700)
    expect((await c.sync('todo', 'g700'.padEnd(256, '.'))).event.data).toEqual([])
    c.close()
  }, 30_000)

  test('a socket may hold 1,024 subscriptions; the next is refused', async () => {
    const c = await TestClient.connect(t.url)
    for (let i = 0; i < 1025; i++)
      c.send({ type: 'join', data: { streamName: 'todo', groupId: 'n', subscriptionId: `s${i}` } })
    const refusal = await c.next((m) => m.type === 'error')
    expect(refusal).toEqual({
      type: 'error',
      error: {
        code: 'STREAM_TOO_MANY_SUBSCRIPTIONS',
        message: 'a socket may hold at most 1024 subscriptions (streams.maxSubscriptions)',
      },
      subscriptionId: 's1024',
    })
    expect(c.frames.filter((m) => m.event?.type === 'sync').length).toBe(1024)
    c.close()
  }, 30_000)

  test("a big group's sync is bounded: the newest items that fit in 1 MB, marked truncated; changes still flow", async () => {
    const text = 'z'.repeat(1000)
    for (let i = 0; i < 10_000; i++) await t.call('todo', 'set', 'big', `item-${i}`, { n: i, text })
    const ws = new WebSocket(t.url)
    const raw: string[] = []
    ws.onmessage = (e) => raw.push(String(e.data))
    await new Promise((resolve) => (ws.onopen = resolve))
    ws.send(JSON.stringify({ type: 'join', data: { streamName: 'todo', groupId: 'big', subscriptionId: 'b' } }))
    while (raw.length === 0) await new Promise((r) => setTimeout(r, 5))
    const frame = raw[0]!
    expect(Buffer.byteLength(frame)).toBeLessThanOrEqual(1024 ** 2)
    const sync = JSON.parse(frame)
    const items: { n: number }[] = sync.event.data
    expect({ ...sync.event, data: undefined }).toEqual({ type: 'sync', truncated: true, total: 10_000 })
    expect(items.length).toBeGreaterThan(900)
    // The newest items, contiguous, in creation order.
    expect(items.map((x) => x.n)).toEqual([...Array(items.length).keys()].map((k) => 10_000 - items.length + k))
    await t.call('todo', 'set', 'big', 'item-new', { n: 10_000, text: 'new' })
    while (raw.length === 1) await new Promise((r) => setTimeout(r, 5))
    expect(JSON.parse(raw[1]!).event).toEqual({ type: 'create', data: { id: 'item-new', n: 10_000, text: 'new' } })
    ws.close()
  }, 60_000)
})

describe('the compiled binary', () => {
  let dir: string
  let proc: Bun.Subprocess<'ignore', 'pipe', 'pipe'> | undefined
  let url: string
  beforeAll(async () => {
    const binary = process.env.MOTIA_TEST_BINARY ?? (await ensureBinary())
    dir = mkdtempSync(join(tmpdir(), 'motia-hostile-streams-'))
    mkdirSync(join(dir, 'steps'))
    writeFileSync(join(dir, 'steps', 'todo.stream.ts'), TODO)
    writeFileSync(join(dir, 'config.yaml'), 'streams:\n  port: 0\n  adapter: memory\nconsole:\n  enabled: false\n')
    proc = Bun.spawn([binary, 'start', '--dir', dir, '--port', '0', '--host', '127.0.0.1'], {
      stdout: 'pipe',
      stderr: 'pipe',
      stdin: 'ignore',
    })
    url = await listening(proc)
  }, 120_000)
  afterAll(async () => {
    proc?.kill()
    await proc?.exited
    rmSync(dir, { recursive: true, force: true })
  })

  test.skipIf(process.platform !== 'linux')(
    'one socket trying 1,024 joins with ~1 MB group ids: the server grows by less than 200 MB',
    async () => {
      const pid = proc!.pid
      const c = await TestClient.connect(url)
      c.join('todo', 'warm-up')
      await c.sync('todo', 'warm-up')
      const base = memory(pid).rss
      const batch = 16
      let grown = 0
      // Today's failure mode is ~3 MB held per join: stop at the first sign rather than eat the machine.
      for (let i = 0; i < 1024 && grown < 200; i += batch) {
        for (let j = i; j < i + batch; j++) {
          c.send({
            type: 'join',
            data: { streamName: 'todo', groupId: `${j}:${'x'.repeat(999_000)}`, subscriptionId: `h${j}` },
          })
        }
        const replies = i + batch + 1 // one per join, plus the warm-up sync
        await c.next(() => c.frames.length >= replies)
        grown = (memory(pid).rss - base) / 1024 ** 2
      }
      const peak = (memory(pid).hwm - base) / 1024 ** 2
      expect(peak).toBeLessThan(200)
      expect(c.frames.filter((m) => m.event?.type === 'sync').length).toBe(1) // the warm-up only
      c.close()
    },
    120_000,
  )
})

/** VmRSS and VmHWM (peak) of a process, in bytes. */
function memory(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (key: string) => Number(status.match(new RegExp(`${key}:\\s+(\\d+) kB`))![1]) * 1024
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') }
}

/** Drains the process's output (a full pipe would stall it) until the stream port is announced. */
function listening(proc: Bun.Subprocess<'ignore', 'pipe', 'pipe'>): Promise<string> {
  let out = ''
  return new Promise((resolve, reject) => {
    const pump = async (stream: ReadableStream<Uint8Array>) => {
      const decoder = new TextDecoder()
      for await (const chunk of stream) {
        out += decoder.decode(chunk)
        const m = out.match(/Streams listening on ws:\/\/[^"\s]*:(\d+)/)
        if (m) resolve(`ws://127.0.0.1:${m[1]}/`)
      }
    }
    void pump(proc.stdout)
    void pump(proc.stderr)
    proc.exited.then(() => reject(new Error(`motia exited before listening:\n${out}`)))
  })
}
