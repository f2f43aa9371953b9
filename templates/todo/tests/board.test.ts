import { afterAll, beforeAll, expect, test } from 'bun:test'
import { createTestContext, createTestRuntime, type TestRuntime } from 'motia/testing'
import { config as celebrate, handler as celebrateHandler } from '../steps/celebrate.step'

// The whole project in-process: HTTP without a socket, streams, queues and state in memory.
let rt: TestRuntime
beforeAll(async () => {
  rt = await createTestRuntime({ dir: new URL('..', import.meta.url) })
})
afterAll(() => rt.stop())

const send = (method: string, path: string, body?: unknown) =>
  rt.request(path, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })

test('todos are added, completed and deleted on the board stream', async () => {
  const added = await send('POST', '/todos', { text: 'water the plants' })
  expect(added.status).toBe(201)
  const todo = (await added.json()) as { id: string }
  expect(await rt.streams.todos!.getGroup('board')).toEqual([
    { id: todo.id, text: 'water the plants', done: false, createdAt: expect.any(String) },
  ])

  const done = await send('PATCH', `/todos/${todo.id}`, { done: true })
  expect(await done.json()).toMatchObject({ id: todo.id, done: true })
  await rt.drain() // the Celebrate queue step
  expect(rt.enqueues.map((e) => e.topic)).toEqual(['todo.completed'])
  expect(await rt.state.get('stats', 'board')).toEqual({ completed: 1 })

  expect((await send('DELETE', `/todos/${todo.id}`)).status).toBe(200)
  expect(await (await send('GET', '/todos')).json()).toEqual([])
  expect((await send('PATCH', `/todos/${todo.id}`, { done: false })).status).toBe(404)
})

test('an empty todo is refused', async () => {
  expect((await send('POST', '/todos', { text: '  ' })).status).toBe(400)
})

test('the board page joins the todos stream', async () => {
  const page = await rt.request('/')
  expect(page.headers.get('content-type')).toContain('text/html')
  expect(await page.text()).toContain("streamName: 'todos', groupId: 'board'")
})

// One handler on its own: a recording ctx, nothing else running.
test('Celebrate counts and tells the board', async () => {
  const ctx = createTestContext({ step: celebrate })
  await celebrateHandler({ id: '1', text: 'a' }, ctx)
  await celebrateHandler({ id: '2', text: 'b' }, ctx)
  expect(await ctx.state.get('stats', 'board')).toEqual({ completed: 2 })
  expect(ctx.streamEvents.map((e) => e.event)).toEqual([
    { type: 'celebrate', data: { text: 'a', completed: 1 } },
    { type: 'celebrate', data: { text: 'b', completed: 2 } },
  ])
})
