import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { QueueModuleApi } from '../../modules/queue/queue-module'
import { MotiaError } from '../../runtime/errors'
import { consoleApp } from './console-app'

// The console's JSON API and live socket over a real socket (docs/console.md), and its access rule.
const origin = { step: 'console-test', traceId: 'c0ffee00000000000000000000000002' }
const json = { 'content-type': 'application/json' }

/** Collects live events until `until` matches one; resolves with everything received. */
function liveEvents(url: string, until: (e: any) => boolean, init?: { headers?: Record<string, string> }) {
  const ws = new WebSocket(url.replace(/^http/, 'ws'), init as any)
  const events: any[] = []
  const done = new Promise<any[]>((resolve, reject) => {
    ws.onmessage = (m) => {
      for (const e of JSON.parse(String(m.data)).events) {
        events.push(e)
        if (until(e)) resolve(events)
      }
    }
    ws.onclose = (e) => reject(new Error(`socket closed (${e.code}) after ${JSON.stringify(events)}`))
  })
  const opened = new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve()
    ws.onerror = () => reject(new Error('socket refused'))
  })
  // Either may go unawaited (a refused socket never delivers events).
  done.catch(() => {})
  opened.catch(() => {})
  return { ws, done, opened }
}

describe('console API on loopback (no token)', () => {
  let app: Awaited<ReturnType<typeof consoleApp>>
  beforeAll(async () => {
    app = await consoleApp()
  })
  afterAll(() => app?.[Symbol.asyncDispose]())
  const get = async (path: string) => {
    const res = await fetch(app.url + path)
    return { status: res.status, body: (await res.json()) as any }
  }

  test('it listens on 127.0.0.1 and says where', () => {
    expect(app.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(app.records.some((r) => r.msg === `Console on ${app.url}/`)).toBe(true)
  })

  test('project and endpoints come from the manifest', async () => {
    const project = await get('/api/project')
    expect(project.status).toBe(200)
    expect(project.body.mode).toBe('dev')
    expect(project.body.manifest.topics).toEqual({
      'todo.created': { producers: ['CreateTodo'], consumers: ['StoreTodo'] },
    })
    const { body } = await get('/api/endpoints')
    expect(body.endpoints.map((e: any) => `${e.method} ${e.path} ${e.step}`)).toEqual([
      'GET /hello Hello',
      'GET /live LivePage',
      'GET /todos ListTodos',
      'POST /todos CreateTodo',
      'GET /todos/:id ListTodos',
      'POST /todos/:id/complete CompleteTodo',
    ])
    expect(body.endpoints[3].bodySchema.required).toEqual(['text', 'priority'])
  })

  test('the request proxy sends to the app and returns status, body and trace id; the live socket sees the work', async () => {
    const live = liveEvents(`${app.url}/api/live`, (e) => e.type === 'stream')
    await live.opened
    const res = await fetch(`${app.url}/api/request`, {
      method: 'POST',
      headers: { ...json, authorization: 'Bearer never-forwarded' },
      body: JSON.stringify({ method: 'POST', path: '/todos', body: '{"text":"via proxy"}', headers: json }),
    })
    const out = (await res.json()) as any
    expect(out).toMatchObject({ status: 202, truncated: false })
    expect(out.traceId).toMatch(/^[0-9a-f]{32}$/)
    const { id } = JSON.parse(out.body)
    const events = await live.done
    live.ws.close()
    expect(events[0]).toMatchObject({ type: 'hello', mode: 'dev' })
    // Queue depths come on connect (then on change).
    expect(events).toContainEqual({ type: 'queues', stats: [expect.objectContaining({ topic: 'todo.created' })] })
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'log',
        record: expect.objectContaining({ msg: 'todo received', traceId: out.traceId }),
      }),
    )
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'state', groupId: 'todos', key: id, event: 'created', step: 'StoreTodo' }),
    )
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'stream',
        streamName: 'todoFeed',
        groupId: 'all',
        id,
        event: expect.objectContaining({ type: 'create' }),
      }),
    )
    await app.drain()

    const logs = await get(`/api/logs?traceId=${out.traceId}`)
    expect(logs.body.records.map((r: any) => `${r.step}: ${r.msg}`)).toEqual([
      'CreateTodo: todo received',
      'StoreTodo: todo stored',
    ])
    expect((await get('/api/logs?level=warn&step=CreateTodo')).body.records).toEqual([])
    // An invalid body comes back as the app answered it.
    const bad = await fetch(`${app.url}/api/request`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ method: 'POST', path: '/todos', body: { text: '' } }),
    })
    expect(((await bad.json()) as any).status).toBe(400)
  })

  test('state: groups, entries, set and delete go through the engine', async () => {
    const put = await fetch(`${app.url}/api/state/entry`, {
      method: 'PUT',
      headers: json,
      body: JSON.stringify({ groupId: 'flags', key: 'beta', value: { on: true } }),
    })
    expect(await put.json()).toEqual({ old_value: null, new_value: { on: true } })
    expect(await app.rt.engine.state('get', ['flags', 'beta'], origin)).toEqual({ on: true })
    expect((await get('/api/state/groups')).body.groups).toContain('flags')
    expect((await get('/api/state/entries?groupId=flags')).body.entries).toEqual([{ key: 'beta', value: { on: true } }])
    const del = await fetch(`${app.url}/api/state/entry?groupId=flags&key=beta`, { method: 'DELETE' })
    expect(await del.json()).toEqual({ old_value: { on: true } })
    expect(await app.rt.engine.state('get', ['flags', 'beta'], origin)).toBeNull()
    expect(await get('/api/state/entries')).toEqual({
      status: 400,
      body: { error: 'groupId is required (a non-empty string)', code: 'E_CONSOLE_BAD_REQUEST' },
    })
  })

  test('streams, queues and dead letters', async () => {
    const streams = await get('/api/streams')
    expect(streams.body.streams.map((s: any) => s.name)).toEqual(['todoFeed'])
    expect((await get('/api/streams/items?stream=todoFeed&groupId=all')).body.items.length).toBeGreaterThan(0)
    expect((await get('/api/streams/items?stream=nope&groupId=all')).status).toBe(404)

    await app.rt.engine.enqueue({ topic: 'todo.created', data: { wrong: 1 } }, origin)
    await app.drain()
    const queues = await get('/api/queues')
    expect(queues.body.stats).toEqual([
      {
        topic: 'todo.created',
        subscription: 'StoreTodo#0:todo.created',
        ready: 0,
        delayed: 0,
        inFlight: 0,
        dead: 1,
        oldestReadyAgeMs: 0,
      },
    ])
    const dead = (await get('/api/queues/dead-letters')).body.deadLetters
    expect(dead).toHaveLength(1)
    expect(dead[0]).toMatchObject({ topic: 'todo.created', data: { wrong: 1 }, traceId: origin.traceId })
    const post = (path: string, body: unknown) =>
      fetch(app.url + path, { method: 'POST', headers: json, body: JSON.stringify(body) }).then((r) => r.json())
    expect(await post('/api/queues/dead-letters/retry', { ids: [dead[0].id] })).toEqual({ count: 1 })
    await app.drain()
    const again = (await get('/api/queues/dead-letters')).body.deadLetters
    expect(again).toHaveLength(1)
    expect(await post('/api/queues/dead-letters/drop', { ids: 'all' })).toEqual({ count: 1 })
    expect(await (app.rt.services.shared.get('queue') as QueueModuleApi).adapter.deadLetters()).toEqual([])
    expect(await post('/api/queues/dead-letters/drop', { ids: 7 })).toMatchObject({ code: 'E_CONSOLE_BAD_REQUEST' })
  })

  test('traces: the list and one trace with its spans and logs; a span ending reaches the live socket', async () => {
    const live = liveEvents(`${app.url}/api/live`, (e) => e.type === 'span' && e.span.step === 'StoreTodo')
    await live.opened
    const res = await app.rt.request('/todos', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ text: 'traced', priority: 'low' }),
    })
    const traceId = res.headers.get('x-trace-id')!
    await app.drain()
    const list = await get('/api/traces?step=StoreTodo&limit=5')
    expect(list.body.enabled).toBe(true)
    expect(list.body.traces[0]).toMatchObject({ traceId, name: 'POST /todos', step: 'CreateTodo', status: 'ok' })
    const one = await get(`/api/traces/${traceId}`)
    expect(one.status).toBe(200)
    const rows = one.body.spans.map((s: any) => [s.name, s.kind, s.step, s.topic ?? null])
    expect(rows).toEqual(
      expect.arrayContaining([
        ['POST /todos', 'http', 'CreateTodo', null],
        ['enqueue todo.created', 'enqueue', 'CreateTodo', 'todo.created'],
        ['process todo.created', 'queue', 'StoreTodo', 'todo.created'],
      ]),
    )
    const byName = new Map(one.body.spans.map((s: any) => [s.name, s]))
    expect((byName.get('process todo.created') as any).parentSpanId).toBe(
      (byName.get('enqueue todo.created') as any).spanId,
    )
    expect(one.body.logs.map((l: any) => l.msg)).toContain('todo received')
    expect(await live.done).toContainEqual({
      type: 'span',
      span: expect.objectContaining({ traceId, step: 'StoreTodo' }),
    })
    live.ws.close()
    expect((await get('/api/traces/0123456789abcdef0123456789abcdef')).status).toBe(404)
  })

  test('a dev reload tells open consoles to reload the project', async () => {
    const live = liveEvents(`${app.url}/api/live`, (e) => e.type === 'project')
    await live.opened
    await app.rt.reload()
    expect(await live.done).toContainEqual({ type: 'project' })
    live.ws.close()
  })

  test('unknown API paths are JSON 404s', async () => {
    expect(await get('/api/nope')).toEqual({
      status: 404,
      body: { error: 'no console API at /api/nope', code: 'E_CONSOLE_NOT_FOUND' },
    })
  })

  test('no answer may be framed: the page, its chunks, API answers, refusals and 404s', async () => {
    const page = await fetch(`${app.url}/`)
    const html = await page.text()
    const chunks = [...html.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((m) => m[1]!)
    expect(chunks.length).toBeGreaterThan(0)
    const answers = [
      page,
      ...(await Promise.all(chunks.map((c) => fetch(app.url + c)))),
      await fetch(`${app.url}/api/project`),
      await fetch(`${app.url}/api/nope`),
      await fetch(`${app.url}/nope`),
      await fetch(`${app.url}/api/live`), // not a WebSocket: 426
      await fetch(`${app.url}/api/project`, { headers: { origin: 'http://evil.example' } }),
      await fetch(`${app.url}/`, { method: 'HEAD' }),
    ]
    expect(
      answers.map((r) => ({
        path: new URL(r.url).pathname,
        status: r.status,
        frameOptions: r.headers.get('x-frame-options'),
        csp: r.headers.get('content-security-policy'),
      })),
    ).toEqual(
      ['/', ...chunks, '/api/project', '/api/nope', '/nope', '/api/live', '/api/project', '/'].map((path, i) => ({
        path,
        status: [200, ...chunks.map(() => 200), 200, 404, 404, 426, 403, 200][i]!,
        frameOptions: 'DENY',
        csp: "frame-ancestors 'none'",
      })),
    )
    expect(page.headers.get('content-type')).toBe('text/html;charset=utf-8')
  })

  test('a page from another site gets nothing: foreign Origin, DNS-rebound Host, cross-site socket', async () => {
    const evil = await fetch(`${app.url}/api/state/groups`, { headers: { origin: 'http://evil.example' } })
    expect(evil.status).toBe(403)
    const rebound = await fetch(`${app.url}/api/state/groups`, {
      headers: { host: `evil.example:${new URL(app.url).port}` },
    })
    expect(rebound.status).toBe(403)
    const write = await fetch(`${app.url}/api/state/entry`, {
      method: 'PUT',
      headers: { origin: 'http://evil.example', 'content-type': 'text/plain' },
      body: JSON.stringify({ groupId: 'pwned', key: 'k', value: 1 }),
    })
    expect(write.status).toBe(403)
    expect(await app.rt.engine.state('get', ['pwned', 'k'], origin)).toBeNull()
    const socket = liveEvents(`${app.url}/api/live`, () => true, { headers: { origin: 'http://evil.example' } })
    await expect(socket.opened).rejects.toThrow('socket refused')
    const own = await fetch(`${app.url}/api/state/groups`, { headers: { origin: app.url } })
    expect(own.status).toBe(200)
  })
})

describe('console bound beyond loopback', () => {
  test('without console.token the runtime refuses to start', async () => {
    const err = await consoleApp({ config: 'console:\n  port: 0\n  host: 0.0.0.0\n' }).catch((e) => e)
    expect(err).toBeInstanceOf(MotiaError)
    expect(err.code).toBe('E_CONFIG_INVALID')
    expect(err.message).toContain(
      'console.host is "0.0.0.0", which is reachable beyond this machine: set console.token',
    )
  })

  test('with a token, no API route and no socket answers without it', async () => {
    await using app = await consoleApp({
      config: 'console:\n  port: 0\n  host: 0.0.0.0\n  token: s3cret-console-token\n',
    })
    const base = app.url.replace('0.0.0.0', '127.0.0.1')
    await app.rt.engine.state('set', ['secrets', 'api', { key: 'do-not-leak' }], origin)
    const reads = [
      '/api/project',
      '/api/endpoints',
      '/api/logs',
      '/api/traces',
      '/api/traces/0123456789abcdef0123456789abcdef',
      '/api/state/groups',
      '/api/state/entries?groupId=secrets',
      '/api/state/entry?groupId=secrets&key=api',
      '/api/streams',
      '/api/streams/items?stream=todoFeed&groupId=all',
      '/api/queues',
      '/api/queues/dead-letters',
      '/api/metrics',
      '/api/nope',
    ]
    for (const path of reads) {
      const attempts: Record<string, string>[] = [
        {},
        { authorization: 'Bearer wrong' },
        { authorization: 's3cret-console-token' },
      ]
      for (const headers of attempts) {
        const res = await fetch(base + path, { headers })
        const text = await res.text()
        expect({ path, status: res.status, leaked: text.includes('do-not-leak') || text.includes('todos') }).toEqual({
          path,
          status: 401,
          leaked: false,
        })
      }
    }
    const writes: [string, string, unknown][] = [
      ['PUT', '/api/state/entry', { groupId: 'secrets', key: 'api', value: 'overwritten' }],
      ['DELETE', '/api/state/entry?groupId=secrets&key=api', undefined],
      ['POST', '/api/request', { method: 'GET', path: '/todos' }],
      ['POST', '/api/queues/dead-letters/drop', { ids: 'all' }],
      ['POST', '/api/queues/dead-letters/retry', { ids: 'all' }],
    ]
    for (const [method, path, body] of writes) {
      const res = await fetch(base + path, {
        method,
        headers: json,
        body: body === undefined ? null : JSON.stringify(body),
      })
      expect({ path, status: res.status }).toEqual({ path, status: 401 })
    }
    expect(await app.rt.engine.state('get', ['secrets', 'api'], origin)).toEqual({ key: 'do-not-leak' })
    const refused = liveEvents(`${base}/api/live`, () => true)
    await expect(refused.opened).rejects.toThrow('socket refused')
    const wrong = liveEvents(`${base}/api/live?token=wrong`, () => true)
    await expect(wrong.opened).rejects.toThrow('socket refused')

    // With the token: header or query parameter.
    const bearer = await fetch(`${base}/api/state/entry?groupId=secrets&key=api`, {
      headers: { authorization: 'Bearer s3cret-console-token' },
    })
    expect(await bearer.json()).toEqual({ groupId: 'secrets', key: 'api', value: { key: 'do-not-leak' } })
    expect((await fetch(`${base}/api/state/groups?token=s3cret-console-token`)).status).toBe(200)
    const live = liveEvents(`${base}/api/live?token=s3cret-console-token`, (e) => e.type === 'hello')
    expect((await live.done)[0]).toMatchObject({ type: 'hello' })
    live.ws.close()
    // The page itself holds no data and loads without the token (it then asks for it).
    const page = await fetch(`${base}/`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toContain('text/html')
  })
})

test('start mode: the console is off unless console.enabled', async () => {
  {
    await using app = await consoleApp({ mode: 'start' })
    expect(app.url).toBe('')
  }
  await using app = await consoleApp({ config: 'console:\n  port: 0\n  enabled: true\n', mode: 'start' })
  expect((await fetch(`${app.url}/api/project`)).status).toBe(200)
})

test('traces answer "off" when tracing is off (observability.enabled: false)', async () => {
  await using off = await consoleApp({ config: 'console:\n  port: 0\nobservability:\n  enabled: false\n' })
  const res = await fetch(`${off.url}/api/traces`)
  expect({ status: res.status, body: await res.json() }).toEqual({ status: 200, body: { enabled: false, traces: [] } })
  expect((await (await fetch(`${off.url}/api/project`)).json()).tracing).toBe(false)
})
