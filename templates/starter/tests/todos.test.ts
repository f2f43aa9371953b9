import { afterAll, beforeAll, expect, test } from 'bun:test'
import { createTestContext, createTestRuntime, type TestRuntime } from 'motia/testing'
import { config as dailyReport, handler as dailyReportHandler } from '../steps/daily-report.step'
import { config as createTodo, handler as createTodoHandler } from '../steps/todos/create-todo.step'

// The whole project in-process: HTTP without a socket, queues and state in memory.
let rt: TestRuntime
beforeAll(async () => {
  rt = await createTestRuntime({ dir: new URL('..', import.meta.url) })
})
afterAll(() => rt.stop())

const post = (path: string, body: unknown) =>
  rt.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

test('a created todo is stored by the queue step and appears in the live feed', async () => {
  const res = await post('/todos', { text: 'ship it', priority: 'high' })
  expect(res.status).toBe(202)
  const { id } = (await res.json()) as { id: string }

  await rt.drain() // until the queue step has run
  expect(rt.enqueues).toContainEqual(expect.objectContaining({ topic: 'todo.created', step: 'CreateTodo' }))
  expect(await rt.state.get('todos', id)).toMatchObject({ id, text: 'ship it', priority: 'high', done: false })
  expect(await rt.streams.todoFeed!.get('all', id)).toEqual({ id, text: 'ship it', priority: 'high', done: false })

  const done = await rt.request(`/todos/${id}/complete`, { method: 'POST' })
  expect(await done.json()).toMatchObject({ id, done: true })
})

test('a todo without text is refused before it reaches the queue', async () => {
  rt.clear()
  const res = await post('/todos', { text: '' })
  expect(res.status).toBe(400)
  expect(rt.enqueues).toEqual([])
})

// One handler on its own: a recording ctx, nothing else running.
test('CreateTodo enqueues the todo with a new id', async () => {
  const ctx = createTestContext({ step: createTodo })
  const res = await createTodoHandler({ body: { text: 'write tests', priority: 'low' } } as any, ctx)
  expect(res).toMatchObject({ status: 202 })
  expect(ctx.enqueues).toEqual([
    {
      topic: 'todo.created',
      data: { id: expect.any(String), text: 'write tests', priority: 'low' },
      traceId: ctx.traceId,
      step: 'CreateTodo',
    },
  ])
})

test('DailyReport counts the open todos', async () => {
  const ctx = createTestContext({ step: dailyReport })
  await ctx.state.set('todos', 'a', { done: false })
  await ctx.state.set('todos', 'b', { done: true })
  await dailyReportHandler(undefined, ctx)
  expect(ctx.logs).toContainEqual(expect.objectContaining({ msg: 'daily report', fields: { open: 1, total: 2 } }))
})
