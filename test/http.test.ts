import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import type { Runtime } from '../runtime/runtime'
import { FIXTURES, fixtureRuntime } from './support/runtime'

let rt: Awaited<ReturnType<typeof fixtureRuntime>>
const json = (body: unknown, method = 'POST', headers: Record<string, string> = {}) => ({
  method,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
})

beforeAll(async () => {
  rt = await fixtureRuntime(join(FIXTURES, 'basic'))
})
afterAll(() => rt.stop())

describe('routing and request parsing', () => {
  test('path params, repeated query keys and trigger info', async () => {
    const res = await rt.request('/users/7/posts/abc?tag=a&tag=b&q=x%20y')
    expect(res.status).toBe(200)
    const body = (await res.json()) as any
    expect(body.pathParams).toEqual({ id: '7', postId: 'abc' })
    expect(body.queryParams).toEqual({ tag: ['a', 'b'], q: 'x y' })
    expect(body.trigger).toEqual({ type: 'http', index: 0, method: 'GET', path: '/users/:id/posts/:postId' })
    expect(res.headers.get('x-trace-id')).toBe(body.traceId)
  })

  test('request headers: repeated names joined, a `__proto__` header is data, one set-cookie a string', async () => {
    const headers = new Headers([
      ['x-a', '1'],
      ['x-a', '2'],
      ['__proto__', 'p'],
      ['set-cookie', 's=1'],
    ])
    const body = (await (await rt.request('/users/1/posts/2', { headers })).json()) as any
    expect(body.headers['x-a']).toBe('1, 2')
    expect(Object.hasOwn(body.headers, '__proto__')).toBe(true)
    expect(Object.getOwnPropertyDescriptor(body.headers, '__proto__')?.value).toBe('p')
    expect(body.headers['set-cookie']).toBe('s=1')
    const two = new Headers([
      ['set-cookie', 's=1'],
      ['set-cookie', 't=2'],
    ])
    const both = (await (await rt.request('/users/1/posts/2', { headers: two })).json()) as any
    expect(both.headers['set-cookie']).toEqual(['s=1', 't=2'])
  })

  test('JSON, text, form and binary bodies; every method', async () => {
    const j = await (await rt.request('/echo', json({ a: 1 }, 'PUT', { 'x-custom': 'hi' }))).json()
    expect(j).toEqual({
      method: 'PUT',
      body: { a: 1 },
      rawBody: '{"a":1}',
      contentType: 'application/json',
      custom: 'hi',
    })
    const t = (await (
      await rt.request('/echo', { method: 'PATCH', headers: { 'content-type': 'text/plain' }, body: 'hello' })
    ).json()) as any
    expect(t.body).toBe('hello')
    const f = (await (
      await rt.request('/echo', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'a=1&b=2&b=3',
      })
    ).json()) as any
    expect(f.body).toEqual({ a: '1', b: ['2', '3'] })
    const b = (await (
      await rt.request('/echo', {
        method: 'DELETE',
        headers: { 'content-type': 'application/octet-stream' },
        body: new Uint8Array([1, 2, 3]),
      })
    ).json()) as any
    expect(b.body).toEqual({ bytes: 3 })
  })

  test('unknown route is a JSON 404 with a trace id', async () => {
    const res = await rt.request('/nope', { method: 'DELETE' })
    expect(res.status).toBe(404)
    const body = (await res.json()) as any
    expect(body).toEqual({ error: 'No route for DELETE /nope', code: 'E_ROUTE_NOT_FOUND', traceId: body.traceId })
    expect(res.headers.get('x-trace-id')).toBe(body.traceId)
  })

  test('an incoming x-trace-id or traceparent is kept', async () => {
    const a = await rt.request('/text', { headers: { 'x-trace-id': 'my-trace-123456' } })
    expect(a.headers.get('x-trace-id')).toBe('my-trace-123456')
    const b = await rt.request('/text', {
      headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    })
    expect(b.headers.get('x-trace-id')).toBe('4bf92f3577b34da6a3ce929d0e0e4736')
  })
})

describe('errors', () => {
  test('malformed JSON → 400', async () => {
    const res = await rt.request('/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":',
    })
    expect(res.status).toBe(400)
    expect(((await res.json()) as any).code).toBe('E_BODY_MALFORMED')
  })

  test('body over the limit → 413', async () => {
    const res = await rt.request('/echo', json({ big: 'x'.repeat(70 * 1024) }))
    expect(res.status).toBe(413)
    expect(((await res.json()) as any).code).toBe('E_BODY_TOO_LARGE')
  })

  test('zod bodySchema → 400 with issues; valid body passes', async () => {
    const bad = await rt.request('/orders', json({ item: 3, qty: -1 }))
    expect(bad.status).toBe(400)
    const body = (await bad.json()) as any
    expect(body.code).toBe('E_BODY_INVALID')
    expect(body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['item', 'qty'])
    const ok = await rt.request('/orders', json({ item: 'pen', qty: 2 }))
    expect(ok.status).toBe(201)
    expect((await ok.json()) as any).toEqual({ item: 'pen', qty: 2 })
  })

  test('JSON Schema bodySchema is enforced too', async () => {
    const bad = await rt.request('/json-schema', json({ age: -3 }))
    expect(bad.status).toBe(400)
    const issues = ((await bad.json()) as any).issues.map((i: { path: string }) => i.path).sort()
    expect(issues).toEqual(['age', 'name'])
    expect((await rt.request('/json-schema', json({ name: 'x' }))).status).toBe(200)
  })

  test('a throwing handler → 500 with trace id, stack only in logs', async () => {
    const res = await rt.request('/boom')
    expect(res.status).toBe(500)
    const body = (await res.json()) as any
    expect(body.code).toBe('E_HANDLER_FAILED')
    expect(body.traceId).toBe(res.headers.get('x-trace-id'))
    expect(JSON.stringify(body)).not.toContain('at ')
    const logged = rt.records.find((r) => r.traceId === body.traceId && r.level === 'error')
    expect(logged?.step).toBe('Failing')
    expect(JSON.stringify(logged?.fields)).toContain('kaboom')
  })

  test('handler over its timeout → 504', async () => {
    const started = performance.now()
    const res = await rt.request('/slow')
    expect(res.status).toBe(504)
    expect(((await res.json()) as any).code).toBe('E_HANDLER_TIMEOUT')
    expect(performance.now() - started).toBeLessThan(2000)
  })

  test('a handler returning nothing → 500 E_HANDLER_NO_RESPONSE', async () => {
    const res = await rt.request('/nothing')
    expect(res.status).toBe(500)
    expect(((await res.json()) as any).code).toBe('E_HANDLER_NO_RESPONSE')
  })
})

describe('middleware, conditions, responses', () => {
  test('middleware: first is outermost, may mutate req and short-circuit', async () => {
    const ok = await rt.request('/mw')
    expect((await ok.json()) as any).toEqual({ user: 'ada' })
    expect(ok.headers.get('x-outer')).toBe('yes')
    const denied = await rt.request('/mw?deny=1')
    expect(denied.status).toBe(403)
    expect(denied.headers.get('x-outer')).toBe('yes')
  })

  test('condition false → 422 skipped', async () => {
    const res = await rt.request('/cond', json({ ok: false }))
    expect(res.status).toBe(422)
    expect((await res.json()) as any).toMatchObject({ error: 'Request condition not met', skipped: true })
    expect((await rt.request('/cond', json({ ok: true }))).status).toBe(200)
  })

  test('text, html, bytes, empty and streamed (SSE) bodies', async () => {
    const text = await rt.request('/text')
    expect(text.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    expect(await text.text()).toBe('plain words')
    const html = await rt.request('/html')
    expect(html.headers.get('content-type')).toBe('text/html')
    const bytes = await rt.request('/bytes')
    expect(bytes.headers.get('content-type')).toBe('application/octet-stream')
    expect([...new Uint8Array(await bytes.arrayBuffer())]).toEqual([0, 1, 2, 255])
    expect((await rt.request('/empty')).status).toBe(204)
    const sse = await rt.request('/sse')
    expect(sse.headers.get('content-type')).toBe('text/event-stream')
    expect(sse.headers.get('x-trace-id')).toBeTruthy()
    expect(await sse.text()).toBe('data: {"n":1}\n\ndata: {"n":2}\n\ndata: {"n":3}\n\n')
    const now = await rt.request('/sse-now')
    expect(now.headers.get('content-type')).toBe('text/event-stream')
    expect(await now.text()).toBe('data: now\n\n')
    const later = await rt.request('/later')
    expect(later.headers.get('x-trace-id')).toBeTruthy()
    expect((await later.json()) as any).toEqual({ later: true })
  })

  test('CORS: permissive by default, OPTIONS → 204', async () => {
    const res = await rt.request('/text', { headers: { origin: 'http://a.test' } })
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    // Same-origin requests (no Origin header) need no CORS headers.
    expect((await rt.request('/text')).headers.get('access-control-allow-origin')).toBeNull()
    const pre = await rt.request('/orders', {
      method: 'OPTIONS',
      headers: {
        origin: 'http://a.test',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    })
    expect(pre.status).toBe(204)
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST')
    expect(pre.headers.get('access-control-allow-headers')).toBe('content-type')
  })
})

describe('ctx', () => {
  test('is, getData and match follow the trigger', async () => {
    expect((await (await rt.request('/match', json({ x: 1 }))).json()) as any).toEqual({
      isHttp: true,
      isQueue: false,
      data: { x: 1 },
      matched: 'http:POST',
      matchedDefault: 'default',
      error: 'No handler matched for trigger type: http',
    })
  })
})

describe('all config styles', () => {
  test('0.x api step: legacy ctx (state.set returns the value, flows)', async () => {
    const res = await rt.request('/legacy/ada', { method: 'POST' })
    expect((await res.json()) as any).toEqual({ hello: 'ada', stored: { greeted: true }, flows: ['legacy'] })
  })

  test('helper-style default export with a relative import', async () => {
    expect((await (await rt.request('/greet/bob')).json()) as any).toEqual({ text: 'Hello, bob!' })
  })

  test('every step of every style is loaded', () => {
    const names = rt
      .project()
      .steps.map((s) => s.name)
      .sort()
    expect(names).toContain('LegacyEvent')
    expect(names).toContain('LegacyCron')
    expect(names).toContain('HumanReview')
    expect(rt.problems).toEqual([])
  })
})

describe('state over HTTP', () => {
  test('set/get/update/delete/list through ctx.state and stateManager', async () => {
    const put = await (await rt.request('/state/carts/c1', json({ items: 1 }, 'PUT'))).json()
    expect(put).toEqual({ old_value: null, new_value: { items: 1 } })
    expect((await (await rt.request('/state/carts/c1')).json()) as any).toEqual({ items: 1 })
    const upd = (await (
      await rt.request('/state/carts/c1', json([{ type: 'increment', path: 'items', by: 2 }], 'PATCH'))
    ).json()) as any
    expect(upd).toEqual({ old_value: { items: 1 }, new_value: { items: 3 } })
    await rt.request('/state/carts/c2', json({ items: 9 }, 'PUT'))
    expect((await (await rt.request('/state/carts')).json()) as any).toEqual([{ items: 3 }, { items: 9 }])
    expect((await (await rt.request('/state-groups')).json()) as any).toContain('carts')
    expect((await (await rt.request('/state/carts/c1', { method: 'DELETE' })).json()) as any).toEqual({
      deleted: { items: 3 },
    })
    expect((await rt.request('/state/carts/c1')).status).toBe(404)
  })

  test('200 concurrent increments over HTTP lose nothing', async () => {
    const op = json([{ type: 'increment', path: 'n', by: 1 }], 'PATCH')
    await Promise.all(Array.from({ length: 200 }, () => rt.request('/state/counters/hits', op)))
    expect((await (await rt.request('/state/counters/hits')).json()) as any).toEqual({ n: 200 })
  })
})

export type { Runtime }
