import { afterAll, beforeAll, expect, test } from 'bun:test'
import { join } from 'node:path'
import type { QueueModuleApi } from '../modules/queue/queue-module'
import { copyFixture, fixtureRuntime } from './support/runtime'

// The example app the README's quick start serves (templates/starter), in a temp copy.
let app: ReturnType<typeof copyFixture>
let rt: Awaited<ReturnType<typeof fixtureRuntime>>
beforeAll(async () => {
  app = copyFixture(join('..', '..', 'templates', 'starter'))
  rt = await fixtureRuntime(app.path, { listen: false })
})
afterAll(async () => {
  await rt?.stop()
  app?.dispose()
})

test('starter: create a todo over HTTP, the queue step stores it and feeds the live stream', async () => {
  const res = await rt.request('/todos', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text: 'ship it', priority: 'high' }),
  })
  expect(res.status).toBe(202)
  const { id } = (await res.json()) as { id: string }
  await (rt.services.shared.get('queue') as QueueModuleApi).idle({ delayed: true })
  expect(await (await rt.request(`/todos/${id}`)).json()).toMatchObject({
    id,
    text: 'ship it',
    priority: 'high',
    done: false,
  })
  expect(await rt.engine.stream('todoFeed', 'get', ['all', id], { step: 'test', traceId: 't' })).toEqual({
    id,
    text: 'ship it',
    priority: 'high',
    done: false,
  })
  await rt.request(`/todos/${id}/complete`, { method: 'POST' })
  expect(await rt.engine.stream('todoFeed', 'get', ['all', id], { step: 'test', traceId: 't' })).toMatchObject({
    done: true,
  })
  const bad = await rt.request('/todos', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"text":""}',
  })
  expect(bad.status).toBe(400)
})

test('starter: the live demo page is served and subscribes to the todo feed', async () => {
  const page = await rt.request('/live')
  expect(page.headers.get('content-type')).toContain('text/html')
  expect(await page.text()).toContain("streamName: 'todoFeed', groupId: 'all'")
})
