import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { rawUpgrade, type StreamsTestRuntime, startProject, TestClient } from './test-harness'

const OPEN_STREAM = `export const config = { name: 'todo', schema: { type: 'object' }, baseConfig: { storageType: 'default' } }`

describe('0.x: streamAuth.authenticate at upgrade, canAccess per join', () => {
  let t: StreamsTestRuntime
  beforeAll(async () => {
    t = await startProject({
      files: {
        'motia.config.ts': `
          import { defineConfig } from 'motia'
          export default defineConfig({
            streamAuth: {
              authenticate: async ({ headers, url }) => {
                const query = new URL(url, 'http://localhost').searchParams.get('authToken')
                const protocols = (headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim())
                const token = query ?? (protocols[0] === 'Authorization' ? protocols[1] : undefined)
                if (token === 'bad') throw new Error('invalid token')
                return token ? { userId: token } : null
              },
            },
          })
        `,
        'steps/private.stream.ts': `
          export const config = {
            name: 'private',
            schema: { type: 'object' },
            baseConfig: { storageType: 'default' },
            canAccess: async (sub, auth) => {
              if (sub.groupId === 'boom') throw new Error('policy store unreachable')
              return auth?.userId === 'alice' && sub.id !== 'secret'
            },
          }
        `,
        'steps/todo.stream.ts': OPEN_STREAM,
      },
    })
    await t.call('private', 'set', 'g', 'doc', { body: 'hi' })
  })
  afterAll(() => t.stop())

  test('a throwing authenticate answers the upgrade with 401 and no socket', async () => {
    const raw = await rawUpgrade(`${t.url}?authToken=bad`)
    expect(raw.status).toBe(401)
    raw.socket.destroy()
    await expect(TestClient.connect(`${t.url}?authToken=bad`)).rejects.toThrow('could not connect')
    expect(t.records.some((r) => r.msg === 'streams: connection refused by the stream auth hook: invalid token')).toBe(
      true,
    )
  })

  test('the Authorization subprotocol carries the token and is echoed', async () => {
    const c = await TestClient.connect(t.url, ['Authorization', 'alice'])
    expect(c.ws.protocol).toBe('Authorization')
    const raw = await rawUpgrade(t.url, { 'Sec-WebSocket-Protocol': 'Authorization, alice' })
    expect(raw.status).toBe(101)
    expect(raw.head.toLowerCase()).toContain('sec-websocket-protocol: authorization')
    raw.socket.destroy()
    c.join('private', 'g', 'doc')
    expect((await c.sync('private', 'g', 'doc')).event.data).toEqual({ body: 'hi', id: 'doc' })
    c.close()
  })

  test('canAccess false → STREAM_ACCESS_DENIED to that socket only; the socket stays usable', async () => {
    const bob = await TestClient.connect(`${t.url}?authToken=bob`)
    const alice = await TestClient.connect(`${t.url}?authToken=alice`)
    alice.join('private', 'g')
    await alice.sync('private', 'g')
    bob.join('private', 'g')
    const denied = await bob.next((m) => m.event?.type === 'event')
    expect(denied).toEqual({
      streamName: 'private',
      groupId: 'g',
      timestamp: expect.any(Number),
      event: {
        type: 'event',
        event: { type: 'error', data: { code: 'STREAM_ACCESS_DENIED', message: 'Access denied' } },
      },
    })
    alice.join('private', 'g', 'secret')
    const itemDenied = await alice.next((m) => m.event?.type === 'event')
    expect(itemDenied.id).toBe('secret')
    // Neither refusal subscribed anything: bob sees no change, alice's group subscription does.
    bob.join('todo', 'open')
    await bob.sync('todo', 'open')
    await t.call('private', 'set', 'g', 'doc2', { body: 'new' })
    await alice.next((m) => m.event.type === 'create')
    await t.call('todo', 'send', { groupId: 'open' }, { type: 'after' })
    await bob.next((m) => m.event?.event?.type === 'after')
    expect(bob.frames.map((m) => m.event.type)).toEqual(['event', 'sync', 'event'])
    bob.close()
    alice.close()
  })

  test('anonymous sockets (authenticate returns null) and a throwing canAccess are denied', async () => {
    const anon = await TestClient.connect(t.url)
    anon.join('private', 'g')
    expect((await anon.next((m) => m.event?.type === 'event')).event.event.data.code).toBe('STREAM_ACCESS_DENIED')
    const alice = await TestClient.connect(`${t.url}?authToken=alice`)
    alice.join('private', 'boom')
    expect((await alice.next((m) => m.event?.type === 'event')).event.event.data).toEqual({
      code: 'STREAM_ACCESS_DENIED',
      message: 'policy store unreachable',
    })
    anon.close()
    alice.close()
  })

  test('the API port authenticates too and refuses a failed upgrade with 401, as the stream port does', async () => {
    // The streams module answers the refusal itself, not the router (whose 404 means "no such path").
    for (const path of ['', 'any/path']) {
      const raw = await rawUpgrade(`${t.apiUrl}${path}?authToken=bad`)
      expect(raw.status).toBe(401)
      raw.socket.destroy()
    }
    const c = await TestClient.connect(t.apiUrl, ['Authorization', 'alice'])
    expect(c.ws.protocol).toBe('Authorization')
    c.join('private', 'g', 'doc')
    expect((await c.sync('private', 'g', 'doc')).event.data).toEqual({ body: 'hi', id: 'doc' })
    c.close()
  })
})

describe('1.x: authenticateStream at upgrade, onJoin / onLeave per subscription', () => {
  let t: StreamsTestRuntime
  beforeAll(async () => {
    t = await startProject({
      files: {
        'motia.config.ts': `
          import type { AuthenticateStream } from 'motia'
          export const authenticateStream: AuthenticateStream = async ({ headers, path, queryParams, addr }, { logger }) => {
            const token = queryParams.authToken?.[0]
            if (token === 'bad') throw new Error('bad token')
            logger.info('stream auth', { path })
            return { context: { role: token === 'member' ? 'member' : 'guest', path, addr, host: typeof headers.host } }
          }
        `,
        'steps/room.stream.ts': `
          export const config = {
            name: 'room',
            schema: { type: 'object' },
            baseConfig: { storageType: 'default' },
            onJoin: async (sub, ctx, auth) => {
              await ctx.state.set('joins', sub.groupId, { sub, auth, traceId: typeof ctx.traceId })
              if (auth?.role !== 'member') return { unauthorized: true }
            },
            onLeave: async (sub, ctx, auth) => {
              await ctx.streams.todo.send({ groupId: 'signals' }, { type: 'left', data: { sub, role: auth?.role } })
            },
          }
        `,
        'steps/todo.stream.ts': OPEN_STREAM,
      },
    })
  })
  afterAll(() => t.stop())

  test('onJoin gets the subscription, a ctx and the auth context; a member is synced', async () => {
    const c = await TestClient.connect(`${t.url}chat?authToken=member`)
    c.join('room', 'lobby')
    expect((await c.sync('room', 'lobby')).event.data).toEqual([])
    const seen = await t.rt.engine.state('get', ['joins', 'lobby'], { step: 'test', traceId: 't' })
    expect(seen).toEqual({
      sub: { groupId: 'lobby' },
      auth: { role: 'member', path: '/chat', addr: '127.0.0.1', host: 'string' },
      traceId: 'string',
    })
    expect(t.records.some((r) => r.msg === 'stream auth' && r.step === undefined)).toBe(true)
    c.close()
  })

  test('onJoin { unauthorized: true } → an unauthorized event; the socket stays usable', async () => {
    const c = await TestClient.connect(t.url)
    c.join('room', 'vip', 'seat-1')
    expect(await c.next((m) => m.event?.type === 'unauthorized')).toEqual({
      streamName: 'room',
      groupId: 'vip',
      id: 'seat-1',
      timestamp: expect.any(Number),
      event: { type: 'unauthorized' },
    })
    c.join('todo', 'open')
    expect((await c.sync('todo', 'open')).event.data).toEqual([])
    await t.call('room', 'set', 'vip', 'seat-1', { taken: true })
    await t.call('todo', 'send', { groupId: 'open' }, { type: 'after' })
    await c.next((m) => m.event?.event?.type === 'after')
    expect(c.frames.filter((m) => m.streamName === 'room').map((m) => m.event.type)).toEqual(['unauthorized'])
    c.close()
  })

  test('onLeave runs on leave and, for each open subscription, on close', async () => {
    const watcher = await TestClient.connect(t.url)
    watcher.join('todo', 'signals')
    await watcher.sync('todo', 'signals')
    const c = await TestClient.connect(`${t.url}?authToken=member`)
    const sub = c.join('room', 'a')
    c.join('room', 'b', 'x')
    await c.sync('room', 'b', 'x')
    c.leave('room', 'a', sub)
    const left = await watcher.next((m) => m.event?.event?.type === 'left')
    expect(left.event.event.data).toEqual({ sub: { groupId: 'a' }, role: 'member' })
    c.close()
    const closed = await watcher.next((m) => m.event?.event?.type === 'left' && m.event.event.data.sub.groupId === 'b')
    expect(closed.event.event.data).toEqual({ sub: { groupId: 'b', id: 'x' }, role: 'member' })
    expect(watcher.frames.filter((m) => m.event?.event?.type === 'left').length).toBe(2)
    watcher.close()
  })

  test('a throwing authenticateStream refuses the connection with 401, on the stream port and the API port', async () => {
    for (const url of [t.url, t.apiUrl]) {
      const raw = await rawUpgrade(`${url}?authToken=bad`)
      expect(raw.status).toBe(401)
      raw.socket.destroy()
    }
  })
})
