/**
 * Python steps of every API generation, in-process (a real python3 per runtime): HTTP,
 * queue, cron, state and stream triggers, conditions, middleware, `.env`, `print()`.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { QueueModuleApi } from '../../modules/queue/queue-module'
import { copyFixture, fixtureRuntime } from '../support/runtime'

let rt: Awaited<ReturnType<typeof fixtureRuntime>>
let queue: QueueModuleApi
const fixture = copyFixture('python')
const origin = { step: 'test', traceId: 'test' }
const state = (g: string, k: string) => rt.engine.state('get', [g, k], origin)
const drain = () => queue.idle({ delayed: true })
const json = (method: string, body: unknown, headers: Record<string, string> = {}) => ({
  method,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
})
/** State and stream triggers and cron run outside the queue: wait for their effect. */
async function until(read: () => Promise<unknown>, ms = 5000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (await read()) return
    await Bun.sleep(20)
  }
}
const emit = (topic: string, data: unknown, extra: Record<string, unknown> = {}) =>
  rt.request('/emit', json('POST', { topic, data, ...extra }))

beforeAll(async () => {
  rt = await fixtureRuntime(fixture.path)
  queue = rt.services.shared.get('queue') as QueueModuleApi
})
afterAll(async () => {
  await rt.stop()
  fixture.dispose()
})

describe('Python steps load beside TS', () => {
  test('every generation loads, with no problems', () => {
    expect(rt.problems).toEqual([])
    const names = rt
      .project()
      .steps.map((s) => s.name)
      .sort()
    expect(names).toEqual(
      [
        'Blocking',
        'Builder',
        'DeleteGreeting',
        'DotenvCheck',
        'Echo',
        'Errors',
        'Bytes',
        'Greet',
        'GetGreeting',
        'GreetingsSummary',
        'LegacyApi',
        'LegacyCron',
        'LegacyEvent',
        'Middleware',
        'OnTodo',
        'OnUserChange',
        'PyCron',
        'PyFifo',
        'PyRetry',
        'PyTyped',
        'RcStep',
        'SSE',
        'SeedStep',
        'Unicode',
      ].sort(),
    )
    const legacy = rt.project().steps.find((s) => s.name === 'LegacyApi')!
    expect(legacy.generation).toBe('legacy')
    expect(
      rt
        .project()
        .streams.map((s) => s.name)
        .sort(),
    ).toEqual(['greetings', 'todo'])
  })
})

describe('HTTP', () => {
  test('1.0.4 sync SDK calls, .env, print() into the step log with the trace id', async () => {
    const res = await rt.request('/greet?name=ada')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ name: 'ada', message: 'Howdy, ada!' })
    const traceId = res.headers.get('x-trace-id')
    const printed = rt.records.find((r) => r.msg === 'greeted ada')
    expect(printed).toMatchObject({ level: 'info', step: 'Greet', traceId })
    expect(rt.records.find((r) => r.msg === 'greeting stored')).toMatchObject({ traceId, fields: { name: 'ada' } })
  })

  test('awaited SDK calls; static routes beat parameter routes; 404 bodies', async () => {
    await rt.request('/greet?name=bob')
    expect(await (await rt.request('/greetings/bob')).json()).toEqual({
      id: 'bob',
      name: 'bob',
      message: 'Howdy, bob!',
    })
    const summary = await rt.request('/greetings/summary')
    expect(await summary.json()).toMatchObject({ trigger: 'http', path: '/greetings/summary' })
    const missing = await rt.request('/greetings/nobody')
    expect(missing.status).toBe(404)
    expect(await missing.json()).toEqual({ error: 'not found' })
  })

  test('204 with body "" is a plain 204', async () => {
    await rt.request('/greet?name=carl')
    const res = await rt.request('/greetings/carl', { method: 'DELETE' })
    expect(res.status).toBe(204)
    expect(await res.text()).toBe('')
    expect((await rt.request('/greetings/carl')).status).toBe(404)
  })

  test('params, query, headers, body, status and custom headers', async () => {
    const res = await rt.request('/echo/7?a=1&b=2', json('POST', { hello: 'world' }, { 'x-test': 'abc' }))
    expect(res.status).toBe(201)
    expect(res.headers.get('x-custom')).toBe('yes')
    expect(await res.json()).toEqual({
      id: '7',
      camel: '7',
      query: { a: '1', b: '2' },
      body: { hello: 'world' },
      header: 'abc',
      method: 'POST',
      dict_style: { hello: 'world' },
    })
  })

  test('a JSON answer with no headers: status, JSON content type and the exact body, unicode included', async () => {
    const res = await rt.request('/unicode')
    expect(res.status).toBe(201)
    expect(res.headers.get('content-type')).toBe('application/json;charset=utf-8')
    expect(res.headers.get('x-trace-id')).toBeTruthy()
    expect(await res.json()).toEqual({ text: 'héllo ✓ "quoted"\nline', n: [1, 2.5, null, true] })
    for (const [path, why] of [
      ['/nan', 'Out of range float values are not JSON compliant'],
      ['/object', 'object is not plain data (JSON)'],
    ]) {
      const bad = await rt.request(path!)
      expect(bad.status).toBe(500)
      expect(((await bad.json()) as { message: string }).message).toContain(why!)
    }
  })

  test('bytes are sent raw, non-JSON text as is, other strings JSON-encoded', async () => {
    const bytes = await rt.request('/bytes')
    expect(bytes.headers.get('content-type')).toBe('image/png')
    expect([...new Uint8Array(await bytes.arrayBuffer())]).toEqual([0, 1, 2, 255])
    const html = await rt.request('/text')
    expect(html.headers.get('content-type')).toBe('text/html')
    expect(await html.text()).toBe('<b>hi</b>')
    const str = await rt.request('/str')
    expect(await str.text()).toBe('"hi"')
  })

  test('SSE through response.status/headers/stream.write/close; request_body.stream', async () => {
    const res = await rt.request('/sse', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'q=1',
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    const text = await res.text()
    expect(text).toBe(
      'event: item\ndata: 0 q=1\n\nevent: item\ndata: 1 q=1\n\nevent: item\ndata: 2 q=1\n\nevent: done\ndata: {}\n\n',
    )
  })

  test('a GET that streams (the route hands bodyless requests straight to python): SSE frames in order', async () => {
    const res = await rt.request('/sse')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    expect(res.headers.get('x-trace-id')).toBeTruthy()
    expect(await res.text()).toBe(
      'event: item\ndata: 0 \n\nevent: item\ndata: 1 \n\nevent: item\ndata: 2 \n\nevent: done\ndata: {}\n\n',
    )
  })

  test('a raising handler → the TS 500 body; a pydantic body_schema → 400; a false condition → 422', async () => {
    const boom = await rt.request('/boom')
    expect(boom.status).toBe(500)
    const b = (await boom.json()) as Record<string, unknown>
    expect(b).toMatchObject({ error: 'Internal server error', code: 'E_HANDLER_FAILED', message: 'kaboom' })
    expect(typeof b.traceId).toBe('string')
    expect(rt.records.some((r) => r.level === 'error' && r.msg.includes('kaboom'))).toBe(true)

    const bad = await rt.request('/typed', json('POST', { item: 'x', amount: 'lots' }))
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({ code: 'E_BODY_INVALID' })
    const good = await rt.request('/typed', json('POST', { item: 'x', amount: 3 }))
    expect(await good.json()).toEqual({ item: 'x', amount: 3 })

    const no = await rt.request('/premium', json('POST', { amount: 5 }))
    expect(no.status).toBe(422)
    expect(await no.json()).toEqual({ error: 'Request condition not met', skipped: true })
    expect(no.headers.get('x-motia-error-code')).toBe('E_CONDITION_NOT_MET')
    const yes = await rt.request('/premium', json('POST', { amount: 5000 }))
    expect(await yes.json()).toEqual({ premium: true })
  })

  test('middleware: async and sync, short-circuit, ctx attributes, next()', async () => {
    const denied = await rt.request('/mw', json('POST', {}))
    expect(denied.status).toBe(401)
    const ok = await rt.request('/mw', json('POST', { a: 1 }, { authorization: 'Bearer ok' }))
    expect(ok.status).toBe(200)
    expect(ok.headers.get('x-mw')).toBe('outer')
    expect(await ok.json()).toEqual({ user: 'ada', body: { stamped: true } })
  })

  test('a blocking SDK call on the event loop thread, many at once, each gets its own reply', async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => (await rt.request('/blocking', json('POST', { i }))).json()),
    )
    expect(answers).toEqual(Array.from({ length: 20 }, (_, i) => ({ stored: { i } })))
  })

  test('.env of the project reaches os.environ', async () => {
    expect(await (await rt.request('/dotenv')).json()).toEqual({ greeting_prefix: 'Howdy', app_name: 'py app' })
  })

  test('multi_trigger_step builder', async () => {
    const res = await rt.request('/builder', json('POST', { x: 1 }))
    expect(await res.json()).toEqual({ via: 'http', data: { x: 1 } })
    await emit('builder.topic', { y: 2 })
    await drain()
    expect(await state('builder', 'last')).toEqual({ data: { y: 2 } })
  })
})

describe('background triggers', () => {
  test('queue retries until success; exhausted retries go to dead letters', async () => {
    await emit('py.retry', { id: 'ok', succeed_on: 2 })
    await emit('py.retry', { id: 'dead' })
    await drain()
    expect(await state('attempts', 'ok')).toEqual({ n: 2 })
    // maxRetries counts retries after the first attempt, as for TS steps (docs/queue.md).
    expect(await state('attempts', 'dead')).toEqual({ n: 4 })
    const dead = await queue.adapter.deadLetters({ topic: 'py.retry' })
    expect(dead).toHaveLength(1)
    expect(dead[0]).toMatchObject({ attempts: 4, error: { message: 'still broken' } })
  })

  test('FIFO groups keep their order', async () => {
    for (let n = 0; n < 8; n++) await emit('py.fifo', { group: 'g1', n }, { messageGroupId: 'g1' })
    await drain()
    expect(await state('fifo', 'g1')).toEqual({ seen: [0, 1, 2, 3, 4, 5, 6, 7] })
  })

  test('a pydantic queue input: the handler gets the model; a mismatch goes to dead letters', async () => {
    await emit('py.typed', { id: 't1', size: 3 })
    await emit('py.typed', { id: 't2', size: 'big' })
    await drain()
    expect(await state('typed', 't1')).toEqual({ size: 3, is_model: true })
    const dead = await queue.adapter.deadLetters({ topic: 'py.typed' })
    expect(dead[0]!.reason).toContain('input does not match the schema')
  })

  test('state trigger with a condition on attribute-style input', async () => {
    await rt.engine.state('set', ['users', 'u1', { status: 'active' }], origin)
    await rt.engine.state('set', ['other', 'u1', { status: 'x' }], origin)
    await until(() => state('user-changes', 'u1'))
    expect(await state('user-changes', 'u1')).toEqual({ event: 'state:created', new: { status: 'active' }, old: null })
  })

  test('stream trigger, and ctx.streams.<name> on a stream only Python names', async () => {
    const res = await rt.request('/rc/r1', { method: 'PUT' })
    expect(await res.json()).toEqual({ id: 'r1', text: 'from rc' })
    await drain()
    await until(() => state('todo-events', 'r1'))
    expect(await state('todo-events', 'r1')).toEqual({ type: 'create', stream: 'todo', group: 'rc' })
    expect(await state('rc', 'r1')).toEqual({ from: 'rc.topic' })
  })

  test('cron: 1.x handler gets None and ctx.trigger.expression', async () => {
    await until(() => state('cron', 'ticks'))
    expect(await state('cron', 'ticks')).toMatchObject({ input: null, expr: '* * * * * *' })
  })
})

describe('older generations', () => {
  test('0.x api → event: req dict keys, context.emit, context.state.set returns the value', async () => {
    const res = await rt.request('/legacy/l1', json('POST', { v: 1 }))
    expect(res.status).toBe(200)
    const { traceId } = (await res.json()) as { traceId: string }
    expect(traceId).toBe(res.headers.get('x-trace-id')!)
    await drain()
    expect(await state('legacy', 'l1')).toEqual({ seen: true, trace: traceId })
    expect(await state('legacy-return', 'l1')).toEqual({ stored: { seen: true, trace: traceId } })
  })

  test('seed style: StepConfig, ApiTrigger/EventTrigger, step_wrapper, ctx.emit("topic", data)', async () => {
    const res = await rt.request('/seed', json('POST', { n: 5 }))
    expect(res.status).toBe(202)
    await drain()
    expect(await state('seed', 'last')).toEqual({ n: 5, is_event: true })
  })
})
