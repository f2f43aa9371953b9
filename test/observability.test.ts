import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { OBSERVABILITY_KEY, type ObservabilityApi } from '../modules/observability/observability-module'
import type { QueueModuleApi } from '../modules/queue/queue-module'
import type { SpanRecord } from '../runtime/tracing'
import { FIXTURES, fixtureRuntime } from './support/runtime'

// Traces of every execution, read back through the observability module's API (what the console uses).
let rt: Awaited<ReturnType<typeof fixtureRuntime>>
let obs: ObservabilityApi

beforeAll(async () => {
  rt = await fixtureRuntime(join(FIXTURES, 'traced'))
  obs = rt.services.shared.get(OBSERVABILITY_KEY) as ObservabilityApi
})
afterAll(() => rt?.stop())

const drain = () => (rt.services.shared.get('queue') as QueueModuleApi).idle({ delayed: true })

async function placeOrder(id: string, headers: Record<string, string> = {}) {
  const res = await rt.request('/orders', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ id, items: 2 }),
  })
  expect(res.status).toBe(202)
  const { traceId } = (await res.json()) as { traceId: string }
  await drain()
  return traceId
}

/** The spans of a trace as `name <- parent name` lines, sorted: the tree without ids or times. */
function tree(spans: SpanRecord[]): string[] {
  const byId = new Map(spans.map((s) => [s.spanId, s]))
  return spans
    .map((s) => `${s.name} <- ${s.parentSpanId ? (byId.get(s.parentSpanId)?.name ?? '(remote)') : '(root)'}`)
    .sort()
}

const one = (spans: SpanRecord[], name: string) => {
  const found = spans.filter((s) => s.name === name)
  expect(found.map((s) => s.name)).toEqual([name])
  return found[0]!
}

describe('one request, its whole flow in one trace', () => {
  test('HTTP step → enqueue → queue step, with state calls, user spans and triggers as children', async () => {
    const traceId = await placeOrder('o-1')
    const trace = obs.getTrace(traceId)!
    expect(tree(trace.spans)).toEqual([
      'POST /orders <- (root)',
      'book courier <- process order.placed',
      'enqueue order.placed <- POST /orders',
      'price order <- POST /orders',
      'process order.placed <- enqueue order.placed',
      'state trigger AuditOrder <- state.set',
      'state trigger AuditOrder <- state.update',
      'state.set <- POST /orders',
      'state.update <- book courier',
      'stream orderFeed <- stream.set',
      'stream.set <- process order.placed',
    ])
    for (const s of trace.spans) {
      expect(s.traceId).toBe(traceId)
      expect(s.endTime).toBeGreaterThanOrEqual(s.startTime)
      // User spans that set no status stay unset, as OpenTelemetry has it.
      expect([s.name, s.status]).toEqual([
        s.name,
        s.name === 'price order' || s.name === 'book courier' ? 'unset' : 'ok',
      ])
    }
    expect(one(trace.spans, 'POST /orders')).toMatchObject({
      kind: 'server',
      attributes: {
        'motia.step': 'PlaceOrder',
        'motia.trigger.type': 'http',
        'http.request.method': 'POST',
        'http.route': '/orders',
        'http.response.status_code': 202,
      },
    })
    expect(one(trace.spans, 'process order.placed')).toMatchObject({
      kind: 'consumer',
      attributes: {
        'motia.step': 'ShipOrder',
        'motia.trigger.type': 'queue',
        'motia.topic': 'order.placed',
        'motia.attempt': 1,
      },
    })
    expect(one(trace.spans, 'enqueue order.placed')).toMatchObject({
      kind: 'producer',
      attributes: { 'motia.operation': 'enqueue', 'motia.topic': 'order.placed', 'motia.step': 'PlaceOrder' },
    })
    expect(one(trace.spans, 'price order').attributes).toEqual({ 'motia.step': 'PlaceOrder', 'shop.items': 2 })
    expect(one(trace.spans, 'state.set').attributes).toMatchObject({
      'motia.state.group_id': 'orders',
      'motia.state.key': 'o-1',
    })
    // The queue step's span starts after the HTTP span started; children lie within their parents.
    const http = one(trace.spans, 'POST /orders')
    const processed = one(trace.spans, 'process order.placed')
    expect(processed.startTime).toBeGreaterThanOrEqual(http.startTime)
    const courier = one(trace.spans, 'book courier')
    expect(courier.startTime).toBeGreaterThanOrEqual(processed.startTime)
    expect(courier.endTime).toBeLessThanOrEqual(processed.endTime)
  })

  test('logs written in a handler are kept with the trace and are events on their span', async () => {
    const traceId = await placeOrder('o-2')
    const trace = obs.getTrace(traceId)!
    const http = one(trace.spans, 'POST /orders')
    const processed = one(trace.spans, 'process order.placed')
    expect(trace.logs.map((l) => [l.msg, l.step, l.spanId])).toEqual(
      expect.arrayContaining([
        ['order received', 'PlaceOrder', http.spanId],
        ['shipping order', 'ShipOrder', processed.spanId],
        ['order changed', 'AuditOrder', expect.any(String)],
      ]),
    )
    expect(http.events).toEqual([
      { name: 'log', time: expect.any(Number), attributes: { level: 'info', message: 'order received', id: 'o-2' } },
    ])
    expect(processed.events.map((e) => e.attributes?.message)).toEqual(['shipping order'])
  })

  test('an incoming traceparent continues the caller’s trace: the request span is its child', async () => {
    const caller = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' }
    const traceId = await placeOrder('o-3', { traceparent: `00-${caller.traceId}-${caller.spanId}-01` })
    expect(traceId).toBe(caller.traceId)
    const http = one(obs.getTrace(traceId)!.spans, 'POST /orders')
    expect(http.parentSpanId).toBe(caller.spanId)
    // The trace is named by its earliest span when its root lives in the caller.
    expect(obs.listTraces({ limit: 10 }).find((t) => t.traceId === traceId)).toMatchObject({
      name: 'POST /orders',
      step: 'PlaceOrder',
      status: 'ok',
    })
  })
})

describe('failures', () => {
  test('a handler that throws: the span is an error with the exception, the trace too', async () => {
    const res = await rt.request('/boom')
    expect(res.status).toBe(500)
    const { traceId } = (await res.json()) as { traceId: string }
    const span = one(obs.getTrace(traceId)!.spans, 'GET /boom')
    expect(span).toMatchObject({
      status: 'error',
      statusMessage: 'kaboom',
      attributes: { 'http.response.status_code': 500 },
    })
    expect(span.events).toContainEqual(
      expect.objectContaining({
        name: 'exception',
        attributes: expect.objectContaining({ 'exception.message': 'kaboom' }),
      }),
    )
    expect(obs.listTraces({ status: 'error' }).map((t) => t.traceId)).toContain(traceId)
    expect(obs.listTraces({ status: 'ok' }).map((t) => t.traceId)).not.toContain(traceId)
  })

  test('a queue handler that fails records the error on its span', async () => {
    const res = await rt.request('/emit', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ topic: 'order.rejected', data: { id: 'x' } }),
    })
    const traceId = res.headers.get('x-trace-id')!
    await drain()
    const spans = obs.getTrace(traceId)!.spans
    expect(tree(spans)).toEqual([
      'POST /emit <- (root)',
      'enqueue order.rejected <- POST /emit',
      'process order.rejected <- enqueue order.rejected',
    ])
    expect(one(spans, 'process order.rejected')).toMatchObject({
      status: 'error',
      statusMessage: 'kaboom',
      attributes: { 'motia.step': 'Boom', 'motia.retryable': true },
    })
  })
})

test('listTraces filters by step (any span of the trace) and status, newest first', async () => {
  const a = await placeOrder('o-10')
  const b = await placeOrder('o-11')
  const byStep = obs.listTraces({ step: 'ShipOrder', limit: 2 })
  expect(byStep.map((t) => t.traceId)).toEqual([b, a])
  expect(byStep[0]).toMatchObject({ name: 'POST /orders', step: 'PlaceOrder', status: 'ok', spans: 11 })
  expect(obs.listTraces({ step: 'Nobody' })).toEqual([])
})

test('retention keeps the newest maxTraces traces, their spans and logs', async () => {
  await using small = await fixtureRuntime(join(FIXTURES, 'traced'), { env: { MAX_TRACES: '3' } })
  const api = small.services.shared.get(OBSERVABILITY_KEY) as ObservabilityApi
  const ids: string[] = []
  for (let i = 0; i < 8; i++) {
    const res = await small.request('/boom')
    ids.push(res.headers.get('x-trace-id')!)
    api.listTraces() // a flush between requests: retention runs on every write
  }
  expect(api.listTraces().map((t) => t.traceId)).toEqual(ids.slice(-3).reverse())
  expect(api.getTrace(ids[0]!)).toBeNull()
  expect(api.getTrace(ids[7]!)?.spans).toHaveLength(1)
})

test('over maxTraces new traces before a write, the others are not recorded at all, and still served', async () => {
  await using small = await fixtureRuntime(join(FIXTURES, 'traced'), { env: { MAX_TRACES: '3' } })
  const api = small.services.shared.get(OBSERVABILITY_KEY) as ObservabilityApi
  const ended: SpanRecord[] = []
  const off = api.onSpan((s) => ended.push(s))
  const ids: string[] = []
  for (let i = 0; i < 8; i++) {
    const res = await small.request('/boom')
    expect(res.status).toBe(500)
    ids.push(res.headers.get('x-trace-id')!)
  }
  // A request continuing a recorded trace is recorded still; one naming another trace is not.
  await small.request('/boom', { headers: { 'x-trace-id': ids[0]! } })
  await small.request('/boom', { headers: { 'x-trace-id': ids[5]! } })
  off()
  // One write window: the first three traces are recorded, the other five made no spans.
  expect(ended.map((s) => s.traceId)).toEqual([...ids.slice(0, 3), ids[0]!])
  expect(api.listTraces().map((t) => t.traceId)).toEqual(ids.slice(0, 3).reverse())
  // The write opened a new window.
  const next = await small.request('/boom')
  expect(api.getTrace(next.headers.get('x-trace-id')!)?.spans).toHaveLength(1)
})

test('observability.enabled: false runs no tracer: no spans, no trace API, requests served alike', async () => {
  await using off = await fixtureRuntime(join(FIXTURES, 'traced'), { env: { TRACING: 'false' } })
  expect(off.engine.tracer).toBeUndefined()
  expect(off.services.shared.has(OBSERVABILITY_KEY)).toBe(false)
  const res = await off.request('/orders', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'untraced', items: 1 }),
  })
  expect(res.status).toBe(202)
  await (off.services.shared.get('queue') as QueueModuleApi).idle({ delayed: true })
  expect(await off.engine.state('get', ['orders', 'untraced'], { step: 't', traceId: 't' })).toMatchObject({
    status: 'shipped',
    total: 10,
  })
  expect(off.records.filter((r) => r.spanId)).toEqual([])
})

test('a cron run is the root span of its own trace', async () => {
  await using cronRt = await fixtureRuntime(join(FIXTURES, 'traced'), { env: { CRON: 'true' } })
  const api = cronRt.services.shared.get(OBSERVABILITY_KEY) as ObservabilityApi
  const span = await new Promise<SpanRecord>((resolve) => {
    const off = api.onSpan((s) => {
      if (s.name !== 'cron Sweep') return
      off()
      resolve(s)
    })
  })
  expect(span).toMatchObject({
    kind: 'internal',
    status: 'ok',
    attributes: { 'motia.step': 'Sweep', 'motia.trigger.type': 'cron', 'motia.cron.expression': '* * * * * *' },
  })
  expect(span.parentSpanId).toBeUndefined()
  expect(api.getTrace(span.traceId)!.logs.map((l) => [l.msg, l.spanId])).toEqual([['swept', span.spanId]])
})
