import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { fixtureRuntime, tempProjects } from '../../test/support/runtime'
import { OBSERVABILITY_KEY, type ObservabilityApi } from '../observability/observability-module'
import type { IiiModuleApi } from './iii-module'
import { settled, TestWorker } from './test-worker'

const project = tempProjects('motia-iii-')
const CONFIG = [
  'http: { port: 0, host: 127.0.0.1 }',
  'streams: { port: 0, onApiPort: false }',
  'console: { enabled: false }',
  'iii: { port: 0, invocationTimeout: 300, maxMessageBytes: 65536 }',
].join('\n')

let rt: Awaited<ReturnType<typeof fixtureRuntime>>
let url: string
let httpUrl: string
const workers: TestWorker[] = []
const connect = async (headers?: Record<string, string>) => {
  const w = await TestWorker.connect(url, headers)
  workers.push(w)
  await w.next('workerregistered')
  return w
}
const iii = () => (rt.services.shared.get('iii') as IiiModuleApi).engine

beforeAll(async () => {
  rt = await fixtureRuntime(
    project({
      'config.yaml': CONFIG,
      // A TS queue step a worker enqueues to, and an HTTP step that enqueues to a worker's queue trigger.
      'steps/from-worker.step.ts': `export const config = { name: 'FromWorker', triggers: [{ type: 'queue', topic: 'to-step' }] }
export const handler = async (input, ctx) => { await ctx.state.set('iii-interop', 'from-worker', input) }
`,
      'steps/to-worker.step.ts': `export const config = { name: 'ToWorker', triggers: [{ type: 'http', method: 'POST', path: '/to-worker' }], enqueues: ['to-worker'] }
export const handler = async (req, ctx) => { await ctx.enqueue({ topic: 'to-worker', data: req.body }); return { status: 202, body: {} } }
`,
    }),
    { listen: true, mode: 'start' },
  )
  url = (rt.services.shared.get('iii') as IiiModuleApi).url()!
  httpUrl = (rt.services.shared.get('http.url') as string).replace(/\/$/, '')
})
afterAll(async () => {
  for (const w of workers) w.close()
  await rt?.stop()
})

describe('iii worker port', () => {
  test('binds to loopback by default; a worker is told its id', async () => {
    expect(rt.config.iii.host).toBe('127.0.0.1')
    expect(url).toStartWith('ws://127.0.0.1:')
    const w = await connect()
    const reg = await w.next('workerregistered')
    expect(reg.worker_id).toMatch(/^[0-9a-f-]{36}$/)
  })

  test("worker functions are invocable from the engine; the engine's are invocable from workers under iii's ids", async () => {
    const w = await connect()
    w.register('test::double', (d: { n: number }) => ({ n: d.n * 2 }))
    await settled(w)
    expect(await iii().invoke('test::double', { n: 21 })).toEqual({ n: 42 })

    const set = await w.call('state::set', { scope: 'iii-t', key: 'k', value: { a: 1 } })
    expect(set.result).toEqual({ old_value: null, new_value: { a: 1 } })
    expect((await w.call('state::get', { scope: 'iii-t', key: 'k' })).result).toEqual({ a: 1 })
    // A missing item is an absent result, as iii answers it.
    expect('result' in (await w.call('state::get', { scope: 'iii-t', key: 'nope' }))).toBe(false)
    // Steps see the same state.
    expect(await rt.engine.state('get', ['iii-t', 'k'], { step: 't', traceId: 't' })).toEqual({ a: 1 })
    const list = (await w.call('engine::functions::list', {})).result as { functions: { function_id: string }[] }
    expect(list.functions.map((f) => f.function_id)).toContain('test::double')
    expect(list.functions.map((f) => f.function_id)).toContain('state::set')
  })

  test('unknown function ids and a bad payload are error bodies; a throwing worker function is invocation_failed', async () => {
    const w = await connect()
    expect((await w.call('no::such', {})).error).toEqual({
      code: 'function_not_found',
      message: 'Function no::such not found',
    })
    expect((await w.call('state::set', { key: 'k' })).error?.code).toBe('invalid_payload')
    w.register('test::boom', () => {
      throw new Error('kaput')
    })
    await settled(w)
    const other = await connect()
    expect((await other.call('test::boom', {})).error).toEqual({ code: 'invocation_failed', message: 'kaput' })
  })

  test('bad frames are refused without closing the connection', async () => {
    const w = await connect()
    w.ws.send('not json')
    w.ws.send('[1,2]')
    w.send({ type: 'nonsense' })
    w.send({ type: 'registerfunction' })
    w.send({ type: 'invokefunction', invocation_id: 'x1', function_id: 42 })
    const refused = await w.next('invocationresult', (m) => m.invocation_id === 'x1')
    expect(refused.error).toEqual({
      code: 'invalid_message',
      message: 'invokefunction: expected a non-empty string "function_id"',
    })
    await settled(w)
    expect(rt.records.some((r) => r.msg.includes('bad frame refused: not JSON'))).toBe(true)
    expect(rt.records.some((r) => r.msg.includes('unknown message type "nonsense"'))).toBe(true)
  })

  test("the SDKs' OTel export connection (frames prefixed OTLP / MTRC / LOGS) is not a worker and not a bad frame", async () => {
    const w = await connect()
    const before = rt.records.length
    w.ws.send(new TextEncoder().encode('OTLP{"resourceSpans":[]}'))
    w.ws.send('MTRC{}')
    const id = (await w.next('workerregistered')).worker_id
    for (let i = 0; i < 100 && iii().workers.has(id); i++) await Bun.sleep(10)
    const workers = (await (await connect()).call('engine::workers::list', {})).result as { workers: { id: string }[] }
    expect(workers.workers.map((x) => x.id)).not.toContain(id)
    expect(rt.records.slice(before).some((r) => r.msg.includes('bad frame'))).toBe(false)
  })

  test('an oversized frame closes that connection (1009); the port keeps serving', async () => {
    const w = await connect()
    w.ws.send(JSON.stringify({ type: 'invokefunction', function_id: 'x', data: 'y'.repeat(70_000) }))
    expect((await w.closed).code).toBe(1009)
    const again = await connect()
    expect((await again.call('state::get', { scope: 'iii-t', key: 'k' })).result).toEqual({ a: 1 })
  })

  test('a slow worker times out: the caller gets a timeout error, an HTTP trigger a 504', async () => {
    const w = await connect()
    w.register('test::slow', () => new Promise((r) => setTimeout(() => r('late'), 2000)))
    w.send({
      type: 'registertrigger',
      id: 'slow-http',
      trigger_type: 'http',
      function_id: 'test::slow',
      config: { api_path: 'iii/slow', http_method: 'GET' },
    })
    await settled(w)
    const caller = await connect()
    const answer = await caller.call('test::slow', {})
    expect(answer.error?.code).toBe('timeout')
    expect(answer.error?.message).toContain('300 ms')
    const res = await fetch(`${httpUrl}/iii/slow`)
    expect(res.status).toBe(504)
  })

  test("http triggers serve worker functions on the API port with iii's request and response shapes", async () => {
    const w = await connect()
    w.register('test::hello', (req: any) => ({
      status_code: 201,
      headers: { 'x-from': 'worker' },
      body: { id: req.path_params.id, q: req.query_params.q, body: req.body, method: req.method, path: req.path },
    }))
    w.send({
      type: 'registertrigger',
      id: 'hello-http',
      trigger_type: 'http',
      function_id: 'test::hello',
      config: { api_path: 'iii/items/:id', http_method: 'POST' },
    })
    await settled(w)
    const res = await fetch(`${httpUrl}/iii/items/7?q=x`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ a: 1 }),
    })
    expect(res.status).toBe(201)
    expect(res.headers.get('x-from')).toBe('worker')
    expect(await res.json()).toEqual({ id: '7', q: 'x', body: { a: 1 }, method: 'POST', path: '/iii/items/:id' })
    w.send({ type: 'unregistertrigger', id: 'hello-http' })
    await settled(w)
    expect((await fetch(`${httpUrl}/iii/items/7`, { method: 'POST' })).status).toBe(404)
  })

  test('a worker that drops: its in-flight invocations fail, its functions and triggers are removed', async () => {
    const w = await connect()
    w.register('test::hang', () => new Promise(() => {}))
    w.send({
      type: 'registertrigger',
      id: 'hang-http',
      trigger_type: 'http',
      function_id: 'test::hang',
      config: { api_path: 'iii/hang' },
    })
    await settled(w)
    const inflight = iii()
      .invoke('test::hang', {}, { timeoutMs: 10_000 })
      .catch((e: { body: unknown }) => e)
    await Bun.sleep(0)
    w.close()
    const err = (await inflight) as { body: unknown }
    expect(err.body).toEqual({ code: 'invocation_stopped', message: 'the worker serving "test::hang" disconnected' })
    expect(iii().functions.has('test::hang')).toBe(false)
    expect(iii().triggers.has('hang-http')).toBe(false)
    expect((await fetch(`${httpUrl}/iii/hang`)).status).toBe(404)
  })

  test('pub/sub, queue topics and state changes reach worker functions', async () => {
    const w = await connect()
    const got: { fn: string; data: any }[] = []
    const seen = (fn: string) => (data: any) => {
      got.push({ fn, data })
      return null
    }
    w.register('test::sub', seen('sub'))
    w.register('test::q', seen('q'))
    w.register('test::st', seen('st'))
    w.send({
      type: 'registertrigger',
      id: 't-sub',
      trigger_type: 'subscribe',
      function_id: 'test::sub',
      config: { topic: 'news' },
    })
    w.send({
      type: 'registertrigger',
      id: 't-q',
      trigger_type: 'queue',
      function_id: 'test::q',
      config: { topic: 'jobs' },
    })
    w.send({
      type: 'registertrigger',
      id: 't-st',
      trigger_type: 'state',
      function_id: 'test::st',
      config: { scope: 'watched' },
    })
    await settled(w)
    await w.call('publish', { topic: 'news', data: { n: 1 } })
    await w.call('enqueue', { topic: 'jobs', data: { n: 2 } })
    await rt.engine.state('set', ['watched', 'a', { v: 3 }], { step: 'a-step', traceId: 't' })
    for (let i = 0; i < 100 && got.length < 3; i++) await Bun.sleep(10)
    expect(got).toContainEqual({ fn: 'sub', data: { n: 1 } })
    expect(got).toContainEqual({ fn: 'q', data: { n: 2 } })
    const st = got.find((g) => g.fn === 'st')!.data
    expect(st).toMatchObject({
      type: 'state',
      event_type: 'state:created',
      scope: 'watched',
      key: 'a',
      new_value: { v: 3 },
    })
  })

  test("steps and workers meet on queue topics: a worker's enqueue runs a TS step, a step's ctx.enqueue a worker's queue trigger", async () => {
    const w = await connect()
    expect((await w.call('enqueue', { topic: 'to-step', data: { from: 'worker' } })).error).toBeUndefined()
    const origin = { step: 't', traceId: 't' }
    for (let i = 0; i < 200 && !(await rt.engine.state('get', ['iii-interop', 'from-worker'], origin)); i++)
      await Bun.sleep(10)
    expect(await rt.engine.state('get', ['iii-interop', 'from-worker'], origin)).toEqual({ from: 'worker' })

    const got: unknown[] = []
    w.register('test::from-step', (d: unknown) => {
      got.push(d)
      return null
    })
    w.send({
      type: 'registertrigger',
      id: 't-from-step',
      trigger_type: 'queue',
      function_id: 'test::from-step',
      config: { topic: 'to-worker' },
    })
    await settled(w)
    const res = await fetch(`${httpUrl}/to-worker`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"from":"step"}',
    })
    expect(res.status).toBe(202)
    for (let i = 0; i < 200 && got.length === 0; i++) await Bun.sleep(10)
    expect(got).toEqual([{ from: 'step' }])
    // Only workers take that topic: nothing was left for the queue to warn about.
    expect(rt.records.some((r) => r.msg.includes('"to-worker", which no step subscribes to'))).toBe(false)
  })

  test("a caller's traceparent is carried into motia's traces: the invocation is a span of that trace, parent of the worker's", async () => {
    const w = await connect()
    const seen: string[] = []
    w.register('test::traced', () => null)
    await settled(w)
    const traceId = 'a'.repeat(32)
    const caller = await connect()
    const id = crypto.randomUUID()
    const answer = caller.next('invocationresult', (m) => m.invocation_id === id)
    caller.send({
      type: 'invokefunction',
      invocation_id: id,
      function_id: 'test::traced',
      data: {},
      traceparent: `00-${traceId}-${'b'.repeat(16)}-01`,
      baggage: 'k=v',
    })
    expect((await answer).error).toBeUndefined()
    const invoked = await w.next('invokefunction', (m) => m.function_id === 'test::traced')
    seen.push(invoked.traceparent!)
    const trace = (rt.services.shared.get(OBSERVABILITY_KEY) as ObservabilityApi).getTrace(traceId)!
    const span = trace.spans.find((s) => s.name === 'call test::traced')!
    expect(span.parentSpanId).toBe('b'.repeat(16))
    expect(span.attributes['iii.function_id']).toBe('test::traced')
    expect(seen[0]).toBe(`00-${traceId}-${span.spanId}-01`)
    expect(invoked.baggage).toBe('k=v')
  })

  test('an unknown trigger type is answered with a registration error', async () => {
    const w = await connect()
    w.send({ type: 'registertrigger', id: 't-x', trigger_type: 'carrier-pigeon', function_id: 'f', config: {} })
    const r = await w.next('triggerregistrationresult', (m) => m.id === 't-x')
    expect(r.error).toEqual({ code: 'trigger_type_not_found', message: 'Trigger type carrier-pigeon not found' })
  })
})

describe("iii's Bridge adapters", () => {
  const bridgeProject = tempProjects('motia-iii-bridge-')
  test("an engine whose state and streams bridge to another serves state::* / stream::* from that engine's store", async () => {
    const dir = bridgeProject({
      'config.yaml': [
        'http: { port: 0, host: 127.0.0.1 }',
        'streams: { port: 0, onApiPort: false }',
        'console: { enabled: false }',
        `iii: { port: 0, bridge: { state: "${url}", streams: "${url}" } }`,
      ].join('\n'),
    })
    await using front = await fixtureRuntime(dir, { listen: true, mode: 'start' })
    const w = await TestWorker.connect((front.services.shared.get('iii') as IiiModuleApi).url()!)
    workers.push(w)
    const set = await w.call('state::set', { scope: 'bridged', key: 'k', value: { via: 'bridge' } })
    expect(set.result).toEqual({ old_value: null, new_value: { via: 'bridge' } })
    // Stored by the backend (the first runtime), not by the front engine.
    expect(await rt.engine.state('get', ['bridged', 'k'], { step: 't', traceId: 't' })).toEqual({ via: 'bridge' })
    expect(await front.engine.state('get', ['bridged', 'k'], { step: 't', traceId: 't' })).toBeNull()
    await w.call('stream::set', { stream_name: 's', group_id: 'g', item_id: 'i', data: { n: 1 } })
    const backend = await connect()
    expect((await backend.call('stream::get', { stream_name: 's', group_id: 'g', item_id: 'i' })).result).toEqual({
      n: 1,
    })
  })
})

describe('iii worker port with a token', () => {
  const tokenProject = tempProjects('motia-iii-token-')
  test('a worker without the token is refused; with it, it attaches', async () => {
    const dir = tokenProject({
      'config.yaml': [
        'http: { port: 0, host: 127.0.0.1 }',
        'streams: { port: 0, onApiPort: false }',
        'console: { enabled: false }',
        'iii: { port: 0, token: s3cret }',
      ].join('\n'),
    })
    await using t = await fixtureRuntime(dir, { listen: true, mode: 'start' })
    const u = (t.services.shared.get('iii') as IiiModuleApi).url()!
    const refused = await fetch(u.replace('ws:', 'http:'), {
      headers: {
        upgrade: 'websocket',
        connection: 'upgrade',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'sec-websocket-version': '13',
      },
    })
    expect(refused.status).toBe(401)
    const w = await TestWorker.connect(u, { authorization: 'Bearer s3cret' })
    expect((await w.next('workerregistered')).worker_id).toBeString()
    w.close()
  })
})
