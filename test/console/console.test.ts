import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import type { Browser, Page } from 'playwright-core'
import type { QueueModuleApi } from '../../modules/queue/queue-module'
import { projectManifest } from '../../runtime/project-manifest'
import { launchChromium, screenshot, watchErrors } from './browser'
import { consoleApp } from './console-app'

// The web console in real Chromium, on the starter app (templates/starter).
// Browser steps wait on selectors, never on time; the limit only bounds a hung browser.
setDefaultTimeout(60_000)
let app: Awaited<ReturnType<typeof consoleApp>>
let browser: Browser
const origin = { step: 'console-test', traceId: 'c0ffee00000000000000000000000001' }

beforeAll(async () => {
  app = await consoleApp()
  browser = await launchChromium()
})
afterAll(async () => {
  await browser?.close()
  await app?.[Symbol.asyncDispose]()
})

/** Opens a console page and waits until it has drawn (the router marks `main[data-ready]`). */
async function open(hash: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
  const errors = watchErrors(page)
  await page.goto(`${app.url}/${hash}`)
  await page.waitForSelector('main[data-ready="true"]')
  await page.waitForSelector('.live-status[data-connected="true"]')
  return { page, errors }
}

async function createTodo(text: string): Promise<string> {
  const res = await app.rt.request('/todos', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text, priority: 'high' }),
  })
  expect(res.status).toBe(202)
  const { id } = (await res.json()) as { id: string }
  await app.drain()
  return id
}

describe('console pages', () => {
  test('every page loads with no console errors (screenshots in test/console/screenshots/)', async () => {
    await createTodo('seed the pages')
    const pages: [string, string][] = [
      ['flows', '.flow-svg [data-step]'],
      ['endpoints', '.endpoint-detail'],
      ['traces', '.page-header'],
      ['logs', '.logs-table tr'],
      ['state', '[data-group="todos"]'],
      ['streams', '.item-card'],
      ['queues', '[data-subscription]'],
      ['metrics', '[data-metrics-route="POST /todos"]'],
    ]
    for (const [name, ready] of pages) {
      const { page, errors } = await open(`#/${name}`)
      await page.waitForSelector(ready)
      await screenshot(page, name)
      expect({ name, errors }).toEqual({ name, errors: [] })
      await page.close()
    }
  })

  test('flows: the diagram shows the starter steps, their trigger kinds and the topic joining them', async () => {
    const { page, errors } = await open('#/flows?flow=todos')
    await page.waitForSelector('.flow-svg [data-step="CreateTodo"]')
    // What the diagram must show: the todos flow's steps, and an edge per producer → consumer of each topic.
    const manifest = projectManifest(app.rt.project(), '0')
    const inFlow = new Set(manifest.flows.todos)
    const expectedEdges = Object.entries(manifest.topics).flatMap(([topic, t]) =>
      t.producers.flatMap((p) =>
        t.consumers.filter((c) => inFlow.has(p) && inFlow.has(c)).map((c) => `${p} -${topic}-> ${c}`),
      ),
    )
    expect(expectedEdges).toContain('CreateTodo -todo.created-> StoreTodo')
    const steps = await page.$$eval('.flow-svg [data-step]', (els) =>
      els.map((e) => e.getAttribute('data-step')).sort(),
    )
    expect(steps).toEqual([...inFlow].sort())
    expect(steps).toEqual(
      expect.arrayContaining(['CreateTodo', 'StoreTodo', 'ListTodos', 'CompleteTodo', 'DailyReport']),
    )
    const edges = await page.$$eval('.flow-svg .edge', (els) =>
      els.map((e) => `${e.getAttribute('data-from')} -${e.getAttribute('data-topic')}-> ${e.getAttribute('data-to')}`),
    )
    expect(edges.sort()).toEqual(expectedEdges.sort())
    const kinds = async (step: string) =>
      page.$$eval(`.flow-svg [data-step="${step}"] [data-trigger]`, (els) =>
        els.map((e) => e.getAttribute('data-trigger')),
      )
    expect(await kinds('CreateTodo')).toEqual(['http'])
    expect(await kinds('StoreTodo')).toEqual(['queue'])
    expect(await kinds('DailyReport')).toEqual(['cron'])
    // The edge is drawn from the producer's right side to the consumer's left side.
    const box = async (sel: string) => (await page.locator(sel).boundingBox())!
    expect((await box('[data-step="StoreTodo"]')).x).toBeGreaterThan((await box('[data-step="CreateTodo"]')).x)
    await page.click('.flow-svg [data-step="CreateTodo"]')
    await page.waitForSelector('[data-details="CreateTodo"]')
    expect(await page.textContent('[data-details="CreateTodo"]')).toContain('todo.created')
    // "All steps" adds the step outside any flow.
    await page.click('[data-flow="*"]')
    await page.waitForSelector('.flow-svg [data-step="Hello"]')
    await screenshot(page, 'flows-all')
    expect(errors).toEqual([])
    await page.close()
  })

  test('endpoints: sending a request shows the response; its trace shows the HTTP step, the enqueue and the queue step', async () => {
    const { page, errors } = await open('#/endpoints')
    await page.click('[data-route="POST /todos"]')
    await page.waitForSelector('[data-endpoint="POST /todos"] textarea[name="body"]')
    // The body is pre-filled from the body schema.
    expect(JSON.parse(await page.inputValue('textarea[name="body"]'))).toEqual({ text: 'text', priority: 'low' })
    await page.fill('textarea[name="body"]', JSON.stringify({ text: 'from the console', priority: 'high' }))
    await page.click('[data-endpoint="POST /todos"] button[type="submit"]')
    await page.waitForSelector('[data-response] [data-status="202"]')
    const body = await page.textContent('[data-response] pre.json')
    const { id } = JSON.parse(body!) as { id: string }
    await app.drain()
    expect(await app.rt.engine.state('get', ['todos', id], origin)).toMatchObject({ text: 'from the console' })
    await screenshot(page, 'endpoints-response')

    await page.click('[data-trace-link]')
    await page.waitForSelector('.wf-row[data-step="StoreTodo"]')
    await page.waitForSelector('.wf-row[data-step="CreateTodo"]')
    // The enqueue: a span of its own, or an event on the HTTP span, naming the topic.
    const rows = await page.$$eval('.wf-row', (els) => els.map((e) => e.textContent ?? ''))
    const events = await page.$$eval('.wf-event', (els) => els.map((e) => e.getAttribute('title') ?? ''))
    expect([...rows, ...events].filter((t) => /enqueue|emit/i.test(t) && t.includes('todo.created'))).not.toEqual([])
    await screenshot(page, 'trace-waterfall')
    expect(errors).toEqual([])
    await page.close()
  })

  test('state: an edit made in the console persists (read back through the engine)', async () => {
    await app.rt.engine.state('set', ['settings', 'limits', { perMinute: 10 }], origin)
    const { page, errors } = await open('#/state?groupId=settings&key=limits')
    await page.waitForSelector('[data-editing="settings/limits"] textarea[name="value"]')
    expect(JSON.parse(await page.inputValue('textarea[name="value"]'))).toEqual({ perMinute: 10 })
    await page.fill('textarea[name="value"]', '{ "perMinute": 25, "burst": [1, 2] }')
    await page.click('[data-action="save"]')
    await page.waitForSelector('.editor-note.ok')
    expect(await app.rt.engine.state('get', ['settings', 'limits'], origin)).toEqual({ perMinute: 25, burst: [1, 2] })
    // Invalid JSON is refused in the page, and nothing is written.
    await page.fill('textarea[name="value"]', '{ nope')
    await page.click('[data-action="save"]')
    await page.waitForSelector('.editor-note.error')
    expect(await app.rt.engine.state('get', ['settings', 'limits'], origin)).toEqual({ perMinute: 25, burst: [1, 2] })
    // A change made by a step shows up in the open editor.
    await page.click('button:has-text("Revert")')
    await app.rt.engine.state('set', ['settings', 'limits', { perMinute: 99 }], origin)
    await page.waitForFunction(() =>
      (document.querySelector('textarea[name="value"]') as HTMLTextAreaElement).value.includes('99'),
    )
    await screenshot(page, 'state-edit')
    expect(errors).toEqual([])
    await page.close()
  })

  test('logs and streams update live over the WebSocket', async () => {
    const logs = await open('#/logs')
    const feed = await open('#/streams?stream=todoFeed&groupId=all')
    const id = await createTodo('watch me live')
    await logs.page.waitForSelector(`.logs-table tr[data-step="StoreTodo"]:has-text("${id}")`)
    await feed.page.waitForSelector(`.item-card[data-item="${id}"]`)
    expect(await feed.page.textContent(`.item-card[data-item="${id}"]`)).toContain('watch me live')
    // Filtering by level hides info records.
    await logs.page.selectOption('select[name="level"]', 'warn')
    await logs.page.waitForFunction(() => !document.querySelector('.logs-table tr[data-level="info"]'))
    expect(logs.errors).toEqual([])
    expect(feed.errors).toEqual([])
    await logs.page.close()
    await feed.page.close()
  })

  test('queues: a dead letter is listed and dropped from the page', async () => {
    const queue = app.rt.services.shared.get('queue') as QueueModuleApi
    // StoreTodo's input schema refuses this message: it goes straight to the dead letters.
    await app.rt.engine.enqueue({ topic: 'todo.created', data: { nonsense: true } }, origin)
    await app.drain()
    const [dead] = await queue.adapter.deadLetters()
    expect(dead).toBeDefined()
    const { page, errors } = await open('#/queues')
    await page.waitForSelector(`[data-dead="${dead!.id}"]`)
    await screenshot(page, 'queues-dead-letter')
    await page.check(`[data-dead="${dead!.id}"] input[type="checkbox"]`)
    await page.click('button:has-text("Drop selected")')
    await page.waitForSelector(`[data-dead="${dead!.id}"]`, { state: 'detached' })
    expect(await queue.adapter.deadLetters()).toEqual([])
    expect(errors).toEqual([])
    await page.close()
  })
})
