import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import type { QueueModuleApi } from '../modules/queue/queue-module'
import { FIXTURES, fixtureRuntime } from './support/runtime'

let rt: Awaited<ReturnType<typeof fixtureRuntime>>
let queue: QueueModuleApi
const state = (g: string, k: string) => rt.engine.state('get', [g, k], { step: 'test', traceId: 'test' })
const emit = (topic: string, data: unknown, extra: Record<string, string> = {}) =>
  rt.request('/emit', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ topic, data, ...extra }),
  })
const drain = () => queue.idle({ delayed: true })

beforeAll(async () => {
  rt = await fixtureRuntime(join(FIXTURES, 'queue'))
  queue = rt.services.shared.get('queue') as QueueModuleApi
})
afterAll(() => rt.stop())

describe('queue triggers in the worker pool', () => {
  test('HTTP enqueue → queue step → module-level enqueue → next step, all on one trace', async () => {
    const res = await rt.request('/orders', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'o1', qty: 2 }),
    })
    const { traceId } = (await res.json()) as { traceId: string }
    await drain()
    expect(await state('orders', 'o1')).toEqual({ id: 'o1', qty: 2, traceId, topic: 'order.created' })
    expect(await state('audit', 'o1')).toEqual({ traceId })
  })

  test('an input that fails its schema goes to dead letters with the reason, and is not retried', async () => {
    await emit('order.created', { id: 42 })
    await drain()
    const dead = await queue.adapter.deadLetters({ topic: 'order.created' })
    expect(dead).toHaveLength(1)
    expect(dead[0]!.attempts).toBe(1)
    expect(dead[0]!.reason).toContain('input does not match the schema: id:')
    expect(dead[0]!.data).toEqual({ id: 42 })
  })

  test('transient failures are retried until they succeed', async () => {
    await emit('flaky', { id: 'f1' })
    await drain()
    expect(await state('done', 'flaky:f1')).toEqual({ attempts: 3 })
  })

  test('NonRetriableError → dead letter after one attempt; exhausted retries → dead letter', async () => {
    await emit('poison', { id: 'p1' })
    await emit('always-fails', { id: 'a1' })
    await drain()
    expect(await state('attempts', 'poison:p1')).toEqual({ n: 1 })
    expect(await state('attempts', 'always-fails:a1')).toEqual({ n: 2 })
    const dead = await queue.adapter.deadLetters({ topic: 'always-fails' })
    expect(dead[0]).toMatchObject({ attempts: 2, error: { message: 'still broken' } })
    const poison = await queue.adapter.deadLetters({ topic: 'poison' })
    expect(poison[0]).toMatchObject({ attempts: 1, error: { name: 'NonRetriableError' } })
  })

  test('RetryAfterError retries after its own delay', async () => {
    await emit('rate-limited', { id: 'r1' })
    await drain()
    expect(await state('done', 'rate-limited:r1')).toEqual({ attempts: 2 })
  })

  test('a handler over its timeout is stopped (worker replaced) and HTTP keeps answering meanwhile', async () => {
    const restarts = queue.pool.restarts
    await emit('spin', { id: 's1' })
    // While the worker spins, the engine thread still serves requests.
    const t0 = performance.now()
    const r = await rt.request('/emit', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"topic":"noop","data":1}',
    })
    expect(r.status).toBe(200)
    expect(performance.now() - t0).toBeLessThan(100)
    await drain()
    expect(queue.pool.restarts).toBe(restarts + 1)
    const dead = await queue.adapter.deadLetters({ topic: 'spin' })
    expect(dead[0]?.error?.code).toBe('E_HANDLER_TIMEOUT')
    // What it logged in the turn that never ended is not lost with its worker.
    expect(rt.records.find((r) => r.msg === 'about to spin')).toMatchObject({
      level: 'warn',
      step: 'Spin',
      fields: { id: 's1' },
    })
    // The replacement worker serves the next job.
    await emit('flaky', { id: 'after-spin' })
    await drain()
    expect(await state('done', 'flaky:after-spin')).toEqual({ attempts: 3 })
  })

  test('FIFO: messages of one group are handled one at a time, in enqueue order', async () => {
    for (let n = 1; n <= 8; n++) {
      await emit('fifo', { group: 'g1', n }, { messageGroupId: 'g1' })
      await emit('fifo', { group: 'g2', n }, { messageGroupId: 'g2' })
    }
    await drain()
    expect(await state('fifo', 'g1')).toEqual({ order: [1, 2, 3, 4, 5, 6, 7, 8] })
    expect(await state('fifo', 'g2')).toEqual({ order: [1, 2, 3, 4, 5, 6, 7, 8] })
  })

  test('state triggers get the change with both namings, filtered by their condition', async () => {
    await rt.engine.state('set', ['orders', 'o9', { id: 'o9' }], { step: 'test', traceId: 't' })
    await rt.engine.state('set', ['other', 'x', 1], { step: 'test', traceId: 't' })
    for (let i = 0; i < 50 && (await state('order-changes', 'o9')) === null; i++) await Bun.sleep(10)
    expect(await state('order-changes', 'o9')).toEqual({ event: 'state:created', scope: 'orders', key: 'o9' })
    expect(await state('order-changes', 'x')).toBeNull()
  })
})

describe('cron triggers', () => {
  test('1.x (undefined, ctx) and 0.x (ctx) cron handlers run on schedule in the pool', async () => {
    await using cronRt = await fixtureRuntime(join(FIXTURES, 'queue'), { env: { CRON: 'true' } })
    const get = (k: string) => cronRt.engine.state('get', ['cron', k], { step: 'test', traceId: 'test' })
    // Every-second schedules: wait for the next tick or two, no longer.
    for (let i = 0; i < 60 && ((await get('ticks')) === null || (await get('legacy')) === null); i++)
      await Bun.sleep(50)
    const ticks = (await get('ticks')) as { n: number; scheduledTime: number }
    expect(ticks).toMatchObject({ n: expect.any(Number) })
    // The tick's own time, on the second (not the moment the handler started).
    expect(ticks.scheduledTime % 1000).toBe(0)
    expect(Math.abs(Date.now() - ticks.scheduledTime)).toBeLessThan(5000)
    expect(await get('legacy')).toMatchObject({ n: expect.any(Number) })
  })
})

describe('worker crashes and warnings', () => {
  test('a worker killed by an uncaught exception is replaced; its message fails and is dead-lettered', async () => {
    const restarts = queue.pool.restarts
    await emit('crash', { id: 'c1' })
    await drain()
    expect(queue.pool.restarts).toBeGreaterThan(restarts)
    const dead = await queue.adapter.deadLetters({ topic: 'crash' })
    expect(dead[0]?.error?.code).toBe('E_WORKER_REPLACED')
    await emit('flaky', { id: 'after-crash' })
    await drain()
    expect(await state('done', 'flaky:after-crash')).toEqual({ attempts: 3 })
  })

  test("a handler's log lines just before process.exit() are not lost with its worker", async () => {
    const restarts = queue.pool.restarts
    await emit('exit', { id: 'x1' })
    await drain()
    expect(queue.pool.restarts).toBeGreaterThan(restarts)
    expect(rt.records.find((r) => r.msg === 'giving up on this process')).toMatchObject({
      level: 'error',
      step: 'Exit',
      fields: { id: 'x1' },
    })
    const dead = await queue.adapter.deadLetters({ topic: 'exit' })
    expect(dead[0]?.error?.code).toBe('E_WORKER_REPLACED')
  })

  test('enqueueing to an undeclared topic warns with step and topic, and still delivers', async () => {
    await emit('undeclared', { id: 'u1' })
    await drain()
    const warning = rt.records.find(
      (r) => r.level === 'warn' && r.msg.includes('"flaky", which its config does not declare'),
    )
    expect(warning?.step).toBe('Crash')
    expect(await state('done', 'flaky:from-undeclared')).toEqual({ attempts: 3 })
  })

  test('a declared topic nobody subscribes to is warned about at load', () => {
    expect(
      rt.records.some((r) => r.msg === 'topic "order.shipped" is enqueued by a step but no step subscribes to it'),
    ).toBe(true)
  })
})
