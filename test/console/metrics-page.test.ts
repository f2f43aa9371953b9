import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test'
import type { Browser, Page } from 'playwright-core'
import type { MetricsHistory } from '../../modules/console/metrics-history'
import { launchChromium, screenshot, watchErrors } from './browser'
import { consoleApp } from './console-app'

// The Metrics page, and the figures inline on Endpoints and Queues, in real Chromium on the
// starter app plus a slow route; the exemplar click opens the real trace of a slow request.
setDefaultTimeout(60_000)

const SLOW = {
  // 150 ms: inside the (0.1, 0.25] latency bucket, far from the hello requests' (0, 0.005].
  'steps/slow.step.ts': `export const config = { name: 'Slow', triggers: [{ type: 'http', method: 'GET', path: '/slow' }] } as const
export const handler = async () => { await Bun.sleep(150); return { status: 200, body: { ok: true } } }
`,
}

let app: Awaited<ReturnType<typeof consoleApp>>
let browser: Browser
let slowTrace = ''
beforeAll(async () => {
  app = await consoleApp({ files: SLOW })
  browser = await launchChromium()
  // Each batch closes a "minute" (the console's snapshot, taken now rather than a minute on): three points.
  const minute = () => (app.rt.services.shared.get('console.metrics') as MetricsHistory).snapshot()
  for (let i = 0; i < 2; i++) await send('/hello')
  await minute()
  for (let i = 0; i < 3; i++) await send('/hello')
  await minute()
  await send('/slow')
  slowTrace = await send('/slow')
  const created = await app.rt.request('/todos', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text: 'measured', priority: 'low' }),
  })
  expect(created.status).toBe(202)
  await app.drain()
})
afterAll(async () => {
  await browser?.close()
  await app?.[Symbol.asyncDispose]()
})

async function send(path: string): Promise<string> {
  const res = await app.rt.request(path)
  expect(res.status).toBe(200)
  await res.arrayBuffer()
  return res.headers.get(app.rt.services.config.http.traceHeader)!
}

/** How a page got its metrics: HTTP requests for them, and `metrics` events on the live socket. */
interface MetricsTraffic {
  fetches: string[]
  frames: number
}

async function open(hash: string): Promise<{ page: Page; errors: string[]; traffic: MetricsTraffic }> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
  const errors = watchErrors(page)
  const traffic: MetricsTraffic = { fetches: [], frames: 0 }
  page.on('request', (r) => {
    if (new URL(r.url()).pathname.startsWith('/api/metrics')) traffic.fetches.push(r.url())
  })
  page.on('websocket', (ws) =>
    ws.on('framereceived', (f) => {
      if (String(f.payload).includes('"type":"metrics"')) traffic.frames++
    }),
  )
  await page.goto(`${app.url}/${hash}`)
  await page.waitForSelector('main[data-ready="true"]')
  return { page, errors, traffic }
}

/**
 * Asserting that nothing periodic happens takes a span of time: longer than the 3 s the pages
 * used to poll at, and three of the console's 1 s ticks.
 */
const IDLE_MS = 3500

const cell = (page: Page, row: string, name: string) =>
  page.textContent(`${row} [data-cell="${name}"]`).then((t) => t?.trim())

test('metrics: per route figures and sparklines, queue depth and lag, refreshed live', async () => {
  const { page, errors, traffic } = await open('#/metrics')
  const hello = '[data-metrics-route="GET /hello"]'
  await page.waitForSelector(hello)
  expect(await cell(page, hello, 'count')).toBe('5')
  expect(await cell(page, hello, 'errors')).toBe('0')
  // Every hello answer is under 5 ms: the quantiles interpolate in the first bucket.
  expect(await cell(page, hello, 'p99')).toMatch(/µs|ms/)
  const slow = '[data-metrics-route="GET /slow"]'
  expect(await cell(page, slow, 'count')).toBe('2')
  // Both in (0.1, 0.25]: p50 is the middle of it.
  expect(await cell(page, slow, 'p50')).toBe('175 ms')
  // One point per minute kept: 2, 3, then none in the minute under way.
  expect(await page.getAttribute(`${hello} .spark`, 'data-points')).toBe('3')
  expect(await page.getAttribute(`${hello} .spark`, 'aria-label')).toBe('requests per minute, 2 3 0')
  const sub = '[data-metrics-subscription]'
  expect(await cell(page, sub, 'processed')).toBe('1')
  expect(await cell(page, sub, 'depth')).toBe('0')
  await screenshot(page, 'metrics')
  // Live: a request made now shows up without reloading, brought by the live socket.
  const framesBefore = traffic.frames
  await send('/hello')
  await page.waitForFunction((sel) => document.querySelector(`${sel} [data-cell="count"]`)?.textContent === '6', hello)
  expect(traffic.frames).toBeGreaterThan(framesBefore)
  // Nothing moves, nothing comes: no metrics fetched, ever, and no frame while the app is idle.
  const idleFrames = traffic.frames
  await page.waitForTimeout(IDLE_MS)
  expect({ fetches: traffic.fetches, frames: traffic.frames }).toEqual({ fetches: [], frames: idleFrames })
  expect(errors).toEqual([])
  await page.close()
})

test('metrics: a bar of a route latency histogram, and its p99 cell, open a slow request trace', async () => {
  const { page, errors } = await open('#/metrics')
  await page.click('[data-metrics-route="GET /slow"] td:first-child')
  await page.waitForSelector('[data-metrics-detail="GET /slow"]')
  const bar = '[data-metrics-detail="GET /slow"] [data-bucket="0.25"]'
  expect(await page.getAttribute(bar, 'data-exemplar')).toBe(slowTrace)
  expect(await page.textContent(`${bar} .hbar-count`)).toBe('2')
  await screenshot(page, 'metrics-route')
  await page.click(bar)
  await page.waitForSelector('.wf-row[data-step="Slow"]')
  expect(new URL(page.url()).hash).toBe(`#/traces/${slowTrace}`)
  await screenshot(page, 'metrics-exemplar-trace')
  // The p99 cell opens the same (slowest) trace.
  await page.goBack()
  await page.waitForSelector('[data-metrics-detail="GET /slow"]')
  await page.click('[data-metrics-route="GET /slow"] [data-cell="p99"] a')
  await page.waitForSelector('.wf-row[data-step="Slow"]')
  expect(new URL(page.url()).hash).toBe(`#/traces/${slowTrace}`)
  expect(errors).toEqual([])
  await page.close()
})

test('endpoints and queues show the same figures inline, updated live without polling', async () => {
  const { page, errors, traffic } = await open('#/endpoints?route=GET%20%2Fslow')
  await page.waitForSelector('[data-route-metrics="GET /slow"]')
  expect(await page.textContent('[data-route-metrics="GET /slow"]')).toBe('2 req · p95 243 ms')
  const strip = '[data-endpoint-metrics="GET /slow"]'
  expect(await cell(page, strip, 'count')).toBe('requests2')
  expect(await cell(page, strip, 'p50')).toBe('p50175 ms')
  expect(await page.getAttribute(`${strip} [data-cell="p99"] a`, 'href')).toBe(`#/traces/${slowTrace}`)
  await screenshot(page, 'endpoints-metrics')
  // A request made after the page loaded shows up in both places without reload.
  await send('/slow')
  await page.waitForFunction(() =>
    document.querySelector('[data-route-metrics="GET /slow"]')?.textContent?.startsWith('3 req'),
  )
  expect(await cell(page, strip, 'count')).toBe('requests3')
  await page.waitForTimeout(IDLE_MS)
  expect(traffic.fetches).toEqual([])
  await page.close()

  const queues = await open('#/queues')
  const processed = (n: string) =>
    queues.page.waitForFunction(
      (v) => document.querySelector('[data-subscription] [data-cell="processed"]')?.textContent === v,
      n,
    )
  await processed('1')
  expect(await queues.page.textContent('[data-subscription] [data-cell="lag"]')).toMatch(/µs|ms|s/)
  await screenshot(queues.page, 'queues-metrics')
  // A message handled after the page loaded is counted there live.
  const created = await app.rt.request('/todos', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text: 'measured live', priority: 'low' }),
  })
  expect(created.status).toBe(202)
  await app.drain()
  await processed('2')
  expect(queues.traffic.fetches).toEqual([])
  expect([...errors, ...queues.errors]).toEqual([])
  await queues.page.close()
})
