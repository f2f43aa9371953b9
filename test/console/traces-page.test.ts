import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test'
import type { Browser } from 'playwright-core'
import type { MotiaModule } from '../../runtime/module'
import { launchChromium, screenshot, watchErrors } from './browser'
import { consoleApp } from './console-app'

// The Traces page drawn from the observability API's shape (docs/console.md, Traces), fed by a
// stand-in module so the waterfall, filters and live refresh are checked on fixed data. The
// real module's end-to-end trace is checked in console.test.ts.
setDefaultTimeout(60_000)

type Span = Record<string, unknown>
const TRACE = 'abcdef0123456789abcdef0123456789'
const t0 = 1_795_000_000_000
const spans: Span[] = [
  {
    traceId: TRACE,
    spanId: 'a000000000000001',
    name: 'POST /todos',
    startTime: t0,
    endTime: t0 + 12,
    status: { code: 1 },
    attributes: { 'motia.step': 'CreateTodo', 'motia.trigger.type': 'http', 'http.status_code': 202 },
    events: [{ name: 'enqueue todo.created', time: t0 + 8, attributes: { topic: 'todo.created' } }],
  },
  {
    traceId: TRACE,
    spanId: 'a000000000000002',
    parentSpanId: 'a000000000000001',
    name: 'queue StoreTodo',
    startTime: t0 + 15,
    endTime: t0 + 40,
    status: { code: 1 },
    attributes: { 'motia.step': 'StoreTodo', 'motia.trigger.type': 'queue' },
    events: [],
  },
]
const traces = new Map<string, { spans: Span[]; logs: unknown[] }>([
  [TRACE, { spans, logs: [{ time: t0 + 2, level: 'info', msg: 'todo received', step: 'CreateTodo', traceId: TRACE }] }],
])
/** A trace sampling did not keep. */
const DROPPED = 'dddddddddddddddddddddddddddddd01'
const listeners = new Set<(span: unknown) => void>()
const observability: MotiaModule = {
  name: 'observability',
  setup(rt) {
    rt.shared.set('observability', {
      listTraces: ({ step, status }: { step?: string; status?: string }) =>
        [...traces].flatMap(([traceId, t]) => {
          const root = t.spans[0]!
          const failed = t.spans.some((s) => (s.status as { code: number }).code === 2)
          if (step && !t.spans.some((s) => (s.attributes as Record<string, unknown>)['motia.step'] === step)) return []
          if (status && status !== (failed ? 'error' : 'ok')) return []
          const end = Math.max(...t.spans.map((s) => s.endTime as number))
          return [
            {
              traceId,
              name: root.name,
              step: 'CreateTodo',
              startTime: root.startTime,
              endTime: end,
              status: failed ? 'error' : 'ok',
              spans: t.spans.length,
            },
          ]
        }),
      getTrace: (id: string) => traces.get(id) ?? null,
      notKept: (id: string) => (id === DROPPED ? 'sampled out (ratio 0.1)' : undefined),
      onSpan(l: (span: unknown) => void) {
        listeners.add(l)
        return () => listeners.delete(l)
      },
    })
  },
}

let app: Awaited<ReturnType<typeof consoleApp>>
let browser: Browser
beforeAll(async () => {
  app = await consoleApp({ modules: [observability] })
  browser = await launchChromium()
})
afterAll(async () => {
  await browser?.close()
  await app?.[Symbol.asyncDispose]()
})

test('traces: the list filters by step and status; a trace is a waterfall in tree order with its logs, refreshed live', async () => {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
  const errors = watchErrors(page)
  await page.goto(`${app.url}/#/traces`)
  await page.waitForSelector(`tr[data-trace="${TRACE}"]`)
  await screenshot(page, 'traces')
  await page.selectOption('select[name="status"]', 'error')
  await page.waitForSelector('.empty-title:has-text("No traces yet")')
  await page.selectOption('select[name="status"]', '')
  await page.selectOption('select[name="step"]', 'StoreTodo')
  await page.waitForSelector(`tr[data-trace="${TRACE}"]`)

  await page.click(`tr[data-trace="${TRACE}"]`)
  await page.waitForSelector('.wf-row[data-step="StoreTodo"]')
  const rows = await page.$$eval('.wf-row', (els) =>
    els.map((e) => [
      e.getAttribute('data-kind'),
      e.getAttribute('data-step'),
      e.querySelector('.span-name')?.textContent,
    ]),
  )
  expect(rows).toEqual([
    ['http', 'CreateTodo', 'POST /todos'],
    ['queue', 'StoreTodo', 'queue StoreTodo'],
  ])
  expect(await page.$$eval('.wf-event', (els) => els.map((e) => e.getAttribute('data-event')))).toEqual([
    'enqueue todo.created',
  ])
  // The queue span starts after the HTTP span ends: its bar sits to the right.
  const left = (sel: string) => page.$eval(sel, (e) => (e as HTMLElement).getBoundingClientRect().left)
  expect(await left('.wf-row[data-step="StoreTodo"] .wf-bar')).toBeGreaterThan(
    await left('.wf-row[data-step="CreateTodo"] .wf-bar'),
  )
  expect(await page.textContent('.trace-view')).toContain('todo received')

  // A span that ends later (a retry that failed) appears without reloading the page.
  const late = {
    traceId: TRACE,
    spanId: 'a000000000000003',
    parentSpanId: 'a000000000000002',
    name: 'state.set todos',
    startTime: t0 + 20,
    endTime: t0 + 22,
    status: { code: 2 },
    attributes: { 'motia.step': 'StoreTodo' },
    events: [],
  }
  traces.get(TRACE)!.spans.push(late)
  for (const l of listeners) l(late)
  await page.waitForSelector('.wf-row.status-error[data-span="state.set todos"]')
  expect(await page.getAttribute('.trace-view', 'data-trace-status')).toBe('error')
  await page.click('.wf-row[data-span="state.set todos"]')
  await page.waitForSelector('[data-span-detail="a000000000000003"]')
  await screenshot(page, 'trace-waterfall')
  expect(errors).toEqual([])
  await page.close()
})

test('traces: a trace sampling did not keep says so and why, with its logs a click away', async () => {
  const page = await browser.newPage({ viewport: { width: 1200, height: 600 } })
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  await page.goto(`${app.url}/#/traces/${DROPPED}`)
  await page.waitForSelector('.empty-title:has-text("Trace not kept")')
  expect(await page.textContent('.trace-body')).toContain(`trace ${DROPPED} was not kept: sampled out (ratio 0.1)`)
  expect(await page.getAttribute('a:has-text("Logs of this trace")', 'href')).toContain(DROPPED)
  // An id sampling knows nothing of stays "not found".
  await page.goto(`${app.url}/#/traces/${'e'.repeat(32)}`)
  await page.waitForSelector('.empty-title:has-text("Trace not found")')
  await page.goto(`${app.url}/#/traces/${DROPPED}`)
  await page.waitForSelector('.empty-title:has-text("Trace not kept")')
  await screenshot(page, 'trace-not-kept')
  expect(errors).toEqual([])
  await page.close()
})

test('traces: with tracing off the page says so', async () => {
  await using plain = await consoleApp({ config: 'console:\n  port: 0\nobservability:\n  enabled: false\n' })
  const page = await browser.newPage()
  const errors = watchErrors(page)
  await page.goto(`${plain.url}/#/traces`)
  await page.waitForSelector('[data-tracing="off"]')
  expect(await page.textContent('[data-tracing="off"]')).toContain('Tracing is off')
  expect(errors).toEqual([])
  await page.close()
})
