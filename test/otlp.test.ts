import { expect, test } from 'bun:test'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { QueueModuleApi } from '../modules/queue/queue-module'
import { copyFixture, fixtureRuntime } from './support/runtime'

// A small OTLP/HTTP receiver on loopback: what a collector gets when config.yaml names an endpoint.

interface OtlpSpan {
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  kind: number
  startTimeUnixNano: string
  endTimeUnixNano: string
  attributes: { key: string; value: Record<string, unknown> }[]
  events: { name: string; timeUnixNano: string; attributes: unknown[] }[]
  status: { code: number; message?: string }
}

function receiver(answers: number[] = []) {
  const requests: { headers: Headers; body: any; status: number }[] = []
  let waiters: (() => void)[] = []
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(req) {
      const status = answers.shift() ?? 200
      requests.push({ headers: req.headers, body: await req.json(), status })
      for (const w of waiters) w()
      waiters = []
      return new Response(status === 200 ? '{}' : 'try later', { status })
    },
  })
  /** The spans of the requests the receiver accepted. */
  const spans = (): OtlpSpan[] =>
    requests
      .filter((r) => r.status === 200)
      .flatMap((r) =>
        r.body.resourceSpans.flatMap((rs: any) => rs.scopeSpans.flatMap((ss: any) => ss.spans as OtlpSpan[])),
      )
  return {
    url: `http://127.0.0.1:${server.port}/v1/traces`,
    requests,
    spans,
    /** Resolves once spans of `traceId` named `names` have all arrived. */
    async waitFor(traceId: string, names: string[]) {
      for (;;) {
        const got = new Set(
          spans()
            .filter((s) => s.traceId === traceId)
            .map((s) => s.name),
        )
        if (names.every((n) => got.has(n))) return
        await new Promise<void>((r) => waiters.push(r))
      }
    },
    stop: () => server.stop(true),
  }
}

async function tracedApp(endpoint: string) {
  const app = copyFixture('traced')
  const config = join(app.path, 'config.yaml')
  writeFileSync(
    config,
    `${readFileSync(config, 'utf8')}  otlp:\n    endpoint: ${endpoint}\n    serviceName: shop\n    interval: 50ms\n    headers:\n      x-api-key: k3y\n`,
  )
  const rt = await fixtureRuntime(app.path)
  return Object.assign(rt, {
    async [Symbol.asyncDispose]() {
      await rt.stop()
      app.dispose()
    },
  })
}

const attr = (s: OtlpSpan, key: string) => s.attributes.find((a) => a.key === key)?.value

test('spans are exported over OTLP/HTTP JSON with parent links from the request to the queue step', async () => {
  const collector = receiver()
  try {
    await using rt = await tracedApp(collector.url)
    const res = await rt.request('/orders', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'otlp-1', items: 3 }),
    })
    const { traceId } = (await res.json()) as { traceId: string }
    await (rt.services.shared.get('queue') as QueueModuleApi).idle({ delayed: true })
    await collector.waitFor(traceId, ['POST /orders', 'enqueue order.placed', 'process order.placed', 'book courier'])

    const first = collector.requests[0]!
    expect(first.headers.get('content-type')).toBe('application/json')
    expect(first.headers.get('x-api-key')).toBe('k3y')
    expect(first.body.resourceSpans[0].resource.attributes).toContainEqual({
      key: 'service.name',
      value: { stringValue: 'shop' },
    })
    // Which process of a fleet sent it: hostname-pid unless MOTIA_INSTANCE_ID or instanceId says.
    expect(first.body.resourceSpans[0].resource.attributes).toContainEqual({
      key: 'service.instance.id',
      value: { stringValue: rt.config.instanceId },
    })
    expect(first.body.resourceSpans[0].scopeSpans[0].scope.name).toBe('motia')

    const spans = collector.spans().filter((s) => s.traceId === traceId)
    const byName = (name: string) => spans.find((s) => s.name === name)!
    const http = byName('POST /orders')
    const enqueue = byName('enqueue order.placed')
    const processed = byName('process order.placed')
    const courier = byName('book courier')
    // The links: request → enqueue → queue step → the handler's own span.
    expect(http.parentSpanId).toBeUndefined()
    expect(enqueue.parentSpanId).toBe(http.spanId)
    expect(processed.parentSpanId).toBe(enqueue.spanId)
    expect(courier.parentSpanId).toBe(processed.spanId)
    // OTLP's encoding: hex ids, SpanKind numbers, nanosecond strings, typed attribute values.
    expect(http.traceId).toMatch(/^[0-9a-f]{32}$/)
    expect(http.spanId).toMatch(/^[0-9a-f]{16}$/)
    expect([http.kind, enqueue.kind, processed.kind, courier.kind]).toEqual([2, 4, 5, 1])
    expect(http.startTimeUnixNano).toMatch(/^\d{19}$/)
    expect(BigInt(http.endTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(http.startTimeUnixNano))
    expect(Math.abs(Number(BigInt(http.startTimeUnixNano) / 1_000_000n) - Date.now())).toBeLessThan(60_000)
    expect(attr(http, 'http.response.status_code')).toEqual({ intValue: '202' })
    expect(attr(http, 'motia.step')).toEqual({ stringValue: 'PlaceOrder' })
    expect(attr(processed, 'motia.topic')).toEqual({ stringValue: 'order.placed' })
    expect(http.status).toEqual({ code: 1 })
    expect(http.events.map((e) => e.name)).toEqual(['log'])
  } finally {
    collector.stop()
  }
})

test('a collector answering 503 gets the same spans again after a backoff', async () => {
  const collector = receiver([503])
  try {
    await using rt = await tracedApp(collector.url)
    const res = await rt.request('/boom')
    const traceId = res.headers.get('x-trace-id')!
    await collector.waitFor(traceId, ['GET /boom'])
    expect(collector.requests.map((r) => r.status)).toEqual([503, 200])
    const sent = collector.requests.map(
      (r) => r.body.resourceSpans[0].scopeSpans[0].spans.filter((s: OtlpSpan) => s.traceId === traceId).length,
    )
    // Refused once, then delivered: the span is in the first (503) batch and again in a later one.
    expect(sent).toEqual([1, 1])
    const boom = collector.spans().filter((s) => s.traceId === traceId)[0]!
    expect(boom.status).toEqual({ code: 2, message: 'kaboom' })
  } finally {
    collector.stop()
  }
})
