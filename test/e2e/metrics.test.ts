import { Database } from 'bun:sqlite'
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ensureBinary, type RunningMotia, startMotia } from '../support/binary'
import { copyFixture, tempProjects } from '../support/runtime'

// Metrics through the compiled binary (test/fixtures/metrics): a known sequence of requests,
// messages (one retried, one dead-lettered), cron runs and a stream join, read back from the
// Prometheus endpoint with exact counts; 10,000 distinct raw paths stay one series per route.
let project: ReturnType<typeof copyFixture>
let motia: RunningMotia
let metricsUrl: string
const projects = tempProjects('motia-metrics-')

beforeAll(async () => {
  await ensureBinary()
  project = copyFixture('metrics')
  motia = await startMotia(['start', '--dir', project.path, '--port', '0', '--host', '127.0.0.1'])
  metricsUrl = motia.output().match(/Metrics on (http\S+?)"/)![1]!
}, 120_000)
afterAll(async () => {
  await motia?.stop()
  project?.dispose()
})

/**
 * `name{labels}` → value, from the Prometheus text (labels as written, in order). An OpenMetrics
 * sample may end in an exemplar (`... 3 # {trace_id="…"} 1.2 1700000000.000`): the label set is
 * read up to its own closing brace (quoted values may hold braces), never to the exemplar's.
 */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[^"}]|"(?:[^"\\]|\\.)*")*\})? (\S+)(?: # .*)?$/)
    if (!m) throw new Error(`not a sample line: ${line}`)
    out.set(`${m[1]}${m[2] ?? ''}`, Number(m[3]))
  }
  return out
}

/** Each bucket line's exemplar: `le` → trace id and value. */
function exemplars(text: string, prefix: string): Map<string, { traceId: string; value: number }> {
  const out = new Map<string, { traceId: string; value: number }>()
  for (const line of text.split('\n')) {
    if (!line.startsWith(prefix)) continue
    const m = line.match(/le="([^"]+)"\} \S+ # \{trace_id="([^"]+)"\} (\S+)/)
    if (m) out.set(m[1]!, { traceId: m[2]!, value: Number(m[3]) })
  }
  return out
}

const scrape = async (headers: Record<string, string> = {}) => {
  const res = await fetch(metricsUrl, { headers })
  expect(res.status).toBe(200)
  return { text: await res.text(), type: res.headers.get('content-type') }
}

/** Scrapes until `ready` holds (work finishes in the background: queue, cron). */
async function until(ready: (s: Map<string, number>) => boolean): Promise<Map<string, number>> {
  let last = new Map<string, number>()
  for (let i = 0; i < 400; i++) {
    last = samples((await scrape()).text)
    if (ready(last)) return last
    await Bun.sleep(25)
  }
  throw new Error(`metrics never got there:\n${[...last].map(([k, v]) => `${k} ${v}`).join('\n')}`)
}

/** The spans .motia/traces.db holds for `traceId`, once written (polled: writes are batched). */
async function storedSpans(traceId: string): Promise<number> {
  const db = new Database(join(project.path, '.motia', 'traces.db'), { readonly: true })
  try {
    for (let i = 0; i < 200; i++) {
      const row = db
        .query<{ spans: number }, [string]>('SELECT spans FROM motia_traces WHERE trace_id = ?')
        .get(traceId)
      if (row && row.spans > 0) return row.spans
      await Bun.sleep(25)
    }
    return 0
  } finally {
    db.close()
  }
}

const TODO = 'http_request_method="GET",http_route="/todos/:id"'
const SHIP = 'motia_topic="order.placed",motia_subscription="ShipOrder#0:order.placed"'

test('exact counts: requests by route and status class, messages with a retry and a dead letter, state ops', async () => {
  for (const id of ['1', '2', '3']) expect((await fetch(`${motia.url}/todos/${id}`)).status).toBe(200)
  expect((await fetch(`${motia.url}/todos/boom`)).status).toBe(500)
  expect((await fetch(`${motia.url}/nowhere/1`)).status).toBe(404)
  const post = (body: unknown) =>
    fetch(`${motia.url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
  for (const body of [{ id: 'a' }, { id: 'b', fail: 'once' }, { id: 'c', fail: 'always' }])
    expect((await post(body)).status).toBe(202)

  // c's dead letter and b's second delivery finish in either order: both are waited for.
  const s = await until(
    (m) =>
      (m.get(`motia_queue_dead_lettered_total{${SHIP}}`) ?? 0) >= 1 &&
      (m.get(`motia_queue_processed_total{${SHIP}}`) ?? 0) >= 2 &&
      (m.get('motia_step_executions_total{motia_step="ShipOrder",motia_trigger_type="queue"}') ?? 0) >= 5,
  )
  expect(s.get(`http_server_request_duration_seconds_count{${TODO},http_response_status_class="2xx"}`)).toBe(3)
  expect(s.get(`http_server_request_duration_seconds_count{${TODO},http_response_status_class="5xx"}`)).toBe(1)
  expect(
    s.get(
      'http_server_request_duration_seconds_count{http_request_method="GET",http_route="",http_response_status_class="4xx"}',
    ),
  ).toBe(1)
  expect(
    s.get(
      'http_server_request_duration_seconds_count{http_request_method="POST",http_route="/orders",http_response_status_class="2xx"}',
    ),
  ).toBe(3)
  expect(s.get('motia_step_executions_total{motia_step="GetTodo",motia_trigger_type="http"}')).toBe(4)
  expect(s.get('motia_step_failures_total{motia_step="GetTodo",motia_trigger_type="http"}')).toBe(1)
  expect(s.get('motia_queue_enqueued_total{motia_topic="order.placed"}')).toBe(3)
  expect(s.get(`motia_queue_processed_total{${SHIP}}`)).toBe(2)
  expect(s.get(`motia_queue_retried_total{${SHIP}}`)).toBe(2) // b's first try, c's first try
  expect(s.get(`motia_queue_dead_lettered_total{${SHIP}}`)).toBe(1)
  expect(s.get(`motia_queue_wait_duration_seconds_count{${SHIP}}`)).toBe(3) // first deliveries only
  // a, b twice, c twice: five runs, three failed.
  expect(s.get('motia_step_executions_total{motia_step="ShipOrder",motia_trigger_type="queue"}')).toBe(5)
  expect(s.get('motia_step_failures_total{motia_step="ShipOrder",motia_trigger_type="queue"}')).toBe(3)
  // b's handler: get + set on its first delivery, get on its second.
  expect(s.get('motia_state_operations_total{motia_state_operation="get",motia_step="ShipOrder"}')).toBe(2)
  expect(s.get('motia_state_operations_total{motia_state_operation="set",motia_step="ShipOrder"}')).toBe(1)
  expect(s.get(`motia_queue_dead_letters{${SHIP}}`)).toBe(1)
  expect(s.get(`motia_queue_depth{${SHIP}}`)).toBe(0)
  expect(s.get(`motia_queue_oldest_age_seconds{${SHIP}}`)).toBe(0)
  expect(s.get('process_memory_usage_bytes')).toBeGreaterThan(10_000_000)
  // User metrics through @opentelemetry/api: an HTTP handler (engine thread), a worker-run handler.
  expect(s.get('todos_reads_total{source="api"}')).toBe(3)
  expect(s.get('shop_orders_shipped_total{kind="standard"}')).toBe(2)
})

test('histogram buckets hold the right counts; OpenMetrics carries the trace id of a request as exemplar', async () => {
  // A slow request (over a second) is the newest observation of its bucket whatever the
  // machine's load, so that bucket's exemplar is its trace, one the console can open.
  const slow = (await fetch(`${motia.url}/todos/y?delayMs=1100`)).headers.get('x-trace-id')!
  const { text, type } = await scrape({ accept: 'application/openmetrics-text; version=1.0.0' })
  expect(type).toContain('application/openmetrics-text')
  expect(text.endsWith('# EOF\n')).toBe(true)
  const s = samples(text)
  const series = `http_server_request_duration_seconds_bucket{${TODO},http_response_status_class="2xx"`
  const count = s.get(`http_server_request_duration_seconds_count{${TODO},http_response_status_class="2xx"}`)!
  const buckets = [...s].filter(([k]) => k.startsWith(series))
  expect(buckets.length).toBe(15) // 14 bounds and +Inf
  expect(s.get(`${series},le="+Inf"}`)).toBe(count)
  // Cumulative: never decreasing; the slow request is above 1 s, so not in the 1 s bucket.
  const values = buckets.map(([, v]) => v)
  expect(values).toEqual([...values].sort((a, b) => a - b))
  expect(s.get(`${series},le="1"}`)!).toBeLessThan(count)
  // The exemplar of the bucket the slow request fell in, its value inside that bucket.
  const [slowLe, slowEx] = [...exemplars(text, series)].find(([, e]) => e.traceId === slow)!
  expect(slowEx.value).toBeGreaterThan(1.1 - 0.005)
  expect(Number(slowLe)).toBeGreaterThanOrEqual(slowEx.value)
  // An exemplar is only recorded for a kept trace: its spans reach the trace store the console
  // reads (.motia/traces.db, written once a second).
  expect(await storedSpans(slow)).toBeGreaterThan(0)
})

test('cron runs and a stream join are counted', async () => {
  const wsUrl = motia.output().match(/Streams listening on (ws:\/\/\S+?)"/)![1]!
  const ws = new WebSocket(wsUrl)
  const synced = new Promise((resolve) => ws.addEventListener('message', resolve, { once: true }))
  await new Promise((resolve, reject) => {
    ws.addEventListener('open', resolve)
    ws.addEventListener('error', reject)
  })
  ws.send(JSON.stringify({ type: 'join', data: { streamName: 'feed', groupId: 'g', subscriptionId: 's1' } }))
  await synced
  const s = await until(
    (m) =>
      (m.get('motia_cron_runs_total{motia_step="Tick"}') ?? 0) >= 2 &&
      m.get('motia_stream_subscriptions{motia_stream_name="feed"}') === 1,
  )
  expect(s.get('motia_stream_connections')).toBe(1)
  const runs = s.get('motia_cron_runs_total{motia_step="Tick"}')!
  const executions = s.get('motia_step_executions_total{motia_step="Tick",motia_trigger_type="cron"}') ?? 0
  // A run is counted as it starts, its execution when it ends: at most the one under way differs.
  expect(runs - executions).toBeGreaterThanOrEqual(0)
  expect(runs - executions).toBeLessThanOrEqual(1)
  ws.close()
  await until(
    (m) =>
      m.get('motia_stream_connections') === 0 && m.get('motia_stream_subscriptions{motia_stream_name="feed"}') === 0,
  )
})

test('10,000 distinct raw paths stay one series per route template; unknown paths one unmatched series', async () => {
  const before = samples((await scrape()).text)
  const key2xx = `http_server_request_duration_seconds_count{${TODO},http_response_status_class="2xx"}`
  const key404 =
    'http_server_request_duration_seconds_count{http_request_method="GET",http_route="",http_response_status_class="4xx"}'
  const N = 10_000
  for (let i = 0; i < N; i += 100) {
    await Promise.all(
      Array.from({ length: 50 }, (_, k) =>
        Promise.all([fetch(`${motia.url}/todos/raw-${i + k}`), fetch(`${motia.url}/missing/raw-${i + k}`)]),
      ).concat(
        Array.from({ length: 50 }, (_, k) =>
          Promise.all([fetch(`${motia.url}/todos/raw-${i + 50 + k}`), fetch(`${motia.url}/missing/raw-${i + 50 + k}`)]),
        ),
      ),
    )
  }
  const { text } = await scrape()
  const s = samples(text)
  expect(s.get(key2xx)! - before.get(key2xx)!).toBe(N)
  expect(s.get(key404)! - before.get(key404)!).toBe(N)
  expect(text).not.toContain('raw-')
  const series = text.split('\n').filter((l) => l.startsWith('http_server_request_duration_seconds_count'))
  expect(series.length).toBeLessThanOrEqual(6)
}, 120_000)

test('motia start with console.host beyond loopback and no token: the metrics endpoint stays on 127.0.0.1', async () => {
  const dir = projects({
    'config.yaml': 'console:\n  host: 0.0.0.0\n  port: 0\nstreams:\n  port: 0\n',
    'steps/hello.step.ts': [
      "import { http } from 'motia'",
      "export const config = { name: 'Hello', triggers: [http('GET', '/hello')] } as const",
      "export const handler = async () => ({ status: 200, body: 'hi' })",
    ].join('\n'),
  })
  const app = await startMotia(['start', '--dir', dir, '--port', '0', '--host', '127.0.0.1'])
  try {
    const url = app.output().match(/Metrics on (http\S+?)"/)![1]!
    expect(new URL(url).hostname).toBe('127.0.0.1')
    expect(app.output()).toContain('Metrics stay on 127.0.0.1: console.host (0.0.0.0) is beyond loopback')
    expect((await fetch(`${app.url}/hello`)).status).toBe(200)
    const text = await (await fetch(url)).text()
    expect(text).toContain('http_route="/hello"')
  } finally {
    await app.stop()
  }
})

test('a user metric from a Python handler (motia.metrics) appears on the Prometheus endpoint', async () => {
  const dir = projects({
    'config.yaml': 'python:\n  workers: 1\nstreams:\n  port: 0\nconsole:\n  port: 0\n',
    'steps/orders_step.py': [
      'from motia import http, metrics',
      '',
      'meter = metrics.get_meter("shop")',
      'placed = meter.create_counter("shop.orders.placed", unit="{order}", description="Orders placed.")',
      'basket = meter.create_histogram("shop.basket.size", explicit_bucket_boundaries_advisory=[1, 5, 10])',
      'open_carts = meter.create_up_down_counter("shop.carts.open")',
      '',
      'config = {"name": "PlaceOrderPy", "triggers": [http("POST", "/py/orders")]}',
      '',
      '',
      'async def handler(request):',
      '    placed.add(1, {"kind": request.body["kind"]})',
      '    basket.record(request.body["items"])',
      '    open_carts.add(1)',
      '    open_carts.add(-1)',
      '    return {"status": 201, "body": {"ok": True}}',
    ].join('\n'),
  })
  const app = await startMotia(['start', '--dir', dir, '--port', '0', '--host', '127.0.0.1'])
  try {
    const url = app.output().match(/Metrics on (http\S+?)"/)![1]!
    const post = (body: unknown) =>
      fetch(`${app.url}/py/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    for (const body of [
      { kind: 'gift', items: 3 },
      { kind: 'gift', items: 7 },
      { kind: 'plain', items: 12 },
    ])
      expect((await post(body)).status).toBe(201)
    // Python sends its measurements in one frame at most every 0.5 s: polled.
    let s = new Map<string, number>()
    for (let i = 0; i < 400; i++) {
      s = samples(await (await fetch(url)).text())
      if (s.get('shop_orders_placed_total{kind="plain"}') === 1) break
      await Bun.sleep(25)
    }
    expect(s.get('shop_orders_placed_total{kind="gift"}')).toBe(2)
    expect(s.get('shop_orders_placed_total{kind="plain"}')).toBe(1)
    expect(s.get('shop_basket_size_bucket{le="1"}')).toBe(0)
    expect(s.get('shop_basket_size_bucket{le="5"}')).toBe(1)
    expect(s.get('shop_basket_size_bucket{le="10"}')).toBe(2)
    expect(s.get('shop_basket_size_bucket{le="+Inf"}')).toBe(3)
    expect(s.get('shop_basket_size_sum')).toBe(22)
    expect(s.get('shop_carts_open')).toBe(0)
    expect(s.get('motia_step_executions_total{motia_step="PlaceOrderPy",motia_trigger_type="http"}')).toBe(3)
  } finally {
    await app.stop()
  }
}, 60_000)

test('motia dev: counters keep their values when a step file is saved (reload)', async () => {
  const step = (version: string) =>
    [
      "import { metrics } from '@opentelemetry/api'",
      "import { http } from 'motia'",
      "const calls = metrics.getMeter('hello').createCounter('hello.calls')",
      "export const config = { name: 'Hello', triggers: [http('GET', '/hello')] } as const",
      `export const handler = async () => { calls.add(1); return { status: 200, body: { version: '${version}' } } }`,
    ].join('\n')
  const dir = projects({
    'config.yaml': 'streams:\n  port: 0\nconsole:\n  port: 0\n',
    'steps/hello.step.ts': step('v1'),
  })
  const app = await startMotia(['dev', '--dir', dir, '--port', '0', '--host', '127.0.0.1'])
  try {
    const consoleUrl = app.output().match(/Console on (http[^\s"]+)/)![1]!
    const read = async () => samples(await (await fetch(new URL('/metrics', consoleUrl))).text())
    const HELLO =
      'http_server_request_duration_seconds_count{http_request_method="GET",http_route="/hello",http_response_status_class="2xx"}'
    let sent = 0
    const hello = async () => {
      sent++
      return ((await (await fetch(`${app.url}/hello`)).json()) as { version: string }).version
    }
    for (let i = 0; i < 3; i++) expect(await hello()).toBe('v1')
    const before = await read()
    expect([before.get(HELLO), before.get('hello_calls_total')]).toEqual([3, 3])
    writeFileSync(join(dir, 'steps', 'hello.step.ts'), step('v2'))
    // Polled: the file event and the reload take a moment; each try is a counted request.
    let version = 'v1'
    for (let i = 0; i < 500 && version !== 'v2'; i++) {
      version = await hello()
      if (version !== 'v2') await Bun.sleep(10)
    }
    expect(version).toBe('v2')
    await hello()
    const after = await read()
    expect(sent).toBeGreaterThan(4)
    // Nothing reset: runtime and user counters hold every request, before and after the reload.
    expect([after.get(HELLO), after.get('hello_calls_total')]).toEqual([sent, sent])
    expect(after.get('motia_step_executions_total{motia_step="Hello",motia_trigger_type="http"}')).toBe(sent)
  } finally {
    await app.stop()
  }
}, 60_000)
