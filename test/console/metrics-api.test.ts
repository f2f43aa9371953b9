import { afterAll, beforeAll, expect, test } from 'bun:test'
import { consoleApp } from './console-app'

// /api/metrics over a real socket: exact figures after a known sequence of requests and messages.
const STEPS = {
  'steps/boom.step.ts': `export const config = { name: 'Boom', triggers: [{ type: 'http', method: 'GET', path: '/boom' }] } as const
export const handler = async () => { throw new Error('boom') }
`,
  // 300 ms: inside the (0.25, 0.5] latency bucket.
  'steps/slow.step.ts': `export const config = { name: 'Slow', triggers: [{ type: 'http', method: 'GET', path: '/slow' }] } as const
export const handler = async () => { await Bun.sleep(300); return { status: 200, body: { ok: true } } }
`,
}

let app: Awaited<ReturnType<typeof consoleApp>>
beforeAll(async () => {
  app = await consoleApp({ files: STEPS })
})
afterAll(() => app?.[Symbol.asyncDispose]())

const metrics = async () => {
  const res = await fetch(`${app.url}/api/metrics`)
  expect(res.status).toBe(200)
  return (await res.json()) as any
}

async function send(path: string, expected: number, init?: RequestInit): Promise<string> {
  const res = await app.rt.request(path, init)
  expect(res.status).toBe(expected)
  await res.arrayBuffer()
  return res.headers.get(app.rt.services.config.http.traceHeader)!
}

test('per route count, rate, errors, p50/p95/p99 from bucket deltas, exemplars; per subscription throughput and depth', async () => {
  const before = await metrics()
  expect(before.enabled).toBe(true)
  expect(before.routes).toEqual([])
  for (let i = 0; i < 3; i++) await send('/hello', 200)
  for (let i = 0; i < 2; i++) await send('/todos/missing', 404)
  await send('/boom', 500)
  await send('/slow', 200)
  const lastSlow = await send('/slow', 200)
  await send('/todos', 202, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text: 'counted', priority: 'low' }),
  })
  await app.drain()

  const m = await metrics()
  const byRoute = Object.fromEntries(m.routes.map((r: any) => [`${r.method} ${r.route}`, r]))
  expect(Object.keys(byRoute).sort()).toEqual(['GET /boom', 'GET /hello', 'GET /slow', 'GET /todos/:id', 'POST /todos'])
  const figures = (k: string) => {
    const { count, errors, clientErrors } = byRoute[k]
    return { count, errors, clientErrors }
  }
  expect(figures('GET /hello')).toEqual({ count: 3, errors: 0, clientErrors: 0 })
  expect(figures('GET /todos/:id')).toEqual({ count: 2, errors: 0, clientErrors: 2 })
  expect(figures('GET /boom')).toEqual({ count: 1, errors: 1, clientErrors: 0 })
  expect(figures('POST /todos')).toEqual({ count: 1, errors: 0, clientErrors: 0 })
  for (const r of m.routes) {
    expect(r.rate).toBeCloseTo(r.count / m.window.seconds, 9)
    expect(r.buckets.reduce((s: number, b: any) => s + b.count, 0)).toBe(r.count)
    // One point per minute since the console started (the minute under way).
    expect(r.points.count).toEqual([r.count])
  }
  // Both slow requests in (0.25, 0.5]: the quantiles interpolate inside it as histogram_quantile does.
  const slow = byRoute['GET /slow']
  expect(slow.buckets.map((b: any) => b.count)).toEqual([0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0])
  expect(slow.buckets[7].le).toBe(0.5)
  expect(slow.p50).toBeCloseTo(0.375, 9)
  expect(slow.p95).toBeCloseTo(0.4875, 9)
  expect(slow.p99).toBeCloseTo(0.4975, 9)
  // The bucket's exemplar, and the p99 click, is the latest slow request's trace.
  expect(slow.buckets[7].exemplar.traceId).toBe(lastSlow)
  expect(slow.buckets[7].exemplar.value).toBeGreaterThan(0.25)
  expect(slow.p99Exemplar.traceId).toBe(lastSlow)
  const trace = await fetch(`${app.url}/api/traces/${lastSlow}`)
  expect(trace.status).toBe(200)

  const store = m.subscriptions.find((s: any) => s.topic === 'todo.created')
  expect(store).toMatchObject({ depth: 0, inFlight: 0, dead: 0, processed: 1, retried: 0, deadLettered: 0 })
  expect(store.lagP50).toBeGreaterThan(0)
  expect(store.points.processed).toEqual([1])

  // Live: the figures move with the next requests.
  await send('/hello', 200)
  const after = await metrics()
  expect(after.routes.find((r: any) => r.route === '/hello').count).toBe(4)
})

test('with metrics off the API says so', async () => {
  await using off = await consoleApp({
    config: 'console:\n  port: 0\nobservability:\n  metrics:\n    enabled: false\n',
  })
  const res = await fetch(`${off.url}/api/metrics`)
  expect(await res.json()).toEqual({ enabled: false, routes: [], subscriptions: [] })
})

test('the live socket: a subscriber gets the figures at once, then when they move; others and leavers get none', async () => {
  const open = async () => {
    const ws = new WebSocket(`${app.url.replace(/^http/, 'ws')}/api/live`)
    const figures: any[] = []
    let waiting: { n: number; resolve: () => void } | undefined
    ws.onmessage = (m) => {
      for (const e of JSON.parse(String(m.data)).events) if (e.type === 'metrics') figures.push(e.metrics)
      if (waiting && figures.length >= waiting.n) waiting.resolve()
    }
    await new Promise((resolve, reject) => {
      ws.onopen = resolve
      ws.onerror = reject
    })
    /** Until `n` metrics events have arrived. */
    const arrived = (n: number) =>
      new Promise<void>((resolve) => {
        if (figures.length >= n) resolve()
        else waiting = { n, resolve }
      })
    return { ws, figures, arrived }
  }
  const hellos = (m: any) => m.routes.find((r: any) => r.route === '/hello')?.count ?? 0
  const watcher = await open()
  const bystander = await open()
  try {
    watcher.ws.send(JSON.stringify({ subscribe: 'metrics' }))
    await watcher.arrived(1)
    const first = hellos(watcher.figures[0])
    await send('/hello', 200)
    // Published on the console's next 1 s tick.
    await watcher.arrived(2)
    expect(hellos(watcher.figures.at(-1))).toBe(first + 1)
    watcher.ws.send(JSON.stringify({ unsubscribe: 'metrics' }))
    // The bystander's socket is open all along: its hello frame arrives, metrics never.
    const seen = watcher.figures.length
    await send('/hello', 200)
    const other = await open()
    other.ws.send(JSON.stringify({ subscribe: 'metrics' }))
    await other.arrived(1)
    // The new subscriber's first figures include the request the leaver was not sent.
    expect(hellos(other.figures[0])).toBe(first + 2)
    other.ws.close()
    expect(watcher.figures.length).toBe(seen)
    expect(bystander.figures).toEqual([])
  } finally {
    watcher.ws.close()
    bystander.ws.close()
  }
})
