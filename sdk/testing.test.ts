import { afterEach, describe, expect, test } from 'bun:test'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { logger } from './module-api'
import { createTestContext, createTestRuntime } from './testing'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'motia-testing-'))
  dirs.push(dir)
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true })
    writeFileSync(join(dir, rel), text)
  }
  return dir
}

const ORDERS = {
  'steps/create.step.ts': `
    import { http } from 'motia'
    import { z } from 'zod'
    export const config = {
      name: 'Create',
      triggers: [http('POST', '/orders', { bodySchema: z.object({ item: z.string() }) })],
      enqueues: ['order.created'],
    }
    export const handler = async (req, { enqueue, logger }) => {
      logger.info('order received', { item: req.body.item })
      await enqueue({ topic: 'order.created', data: { id: 'o1', item: req.body.item } })
      return { status: 202, body: { id: 'o1' } }
    }`,
  'steps/store.step.ts': `
    import { queue } from 'motia'
    export const config = { name: 'Store', triggers: [queue('order.created')], enqueues: ['order.stored'] }
    export const handler = async (order, { state, enqueue }) => {
      await state.set('orders', order.id, order)
      await enqueue({ topic: 'order.stored', data: { id: order.id } })
    }`,
  'steps/audit.step.ts': `
    import { stateTrigger } from 'motia'
    export const config = { name: 'Audit', triggers: [stateTrigger((i) => i.group_id === 'orders')] }
    export const handler = async (change, { state }) => {
      await new Promise((r) => setTimeout(r, 20))
      await state.set('audit', change.item_id, { event: change.event_type })
    }`,
  'steps/notify.step.ts': `
    import { queue } from 'motia'
    export const config = { name: 'Notify', triggers: [queue('order.stored')] }
    export const handler = async (msg, { streams }) => {
      await streams.orderFeed.set('all', msg.id, { status: 'stored' })
    }`,
  'steps/order-feed.stream.ts': `export const config = { name: 'orderFeed', baseConfig: { storageType: 'default' } }`,
  'steps/tick.step.ts': `
    import { cron } from 'motia'
    export const config = { name: 'Tick', triggers: [cron('0 0 1 1 *')] }
    export const handler = async (_input, { state }) => { await state.update('ticks', 'n', [{ type: 'increment', path: 'n', by: 1 }]) }`,
  'steps/legacy-cron.step.ts': `
    export const config = { type: 'cron', name: 'LegacyCron', cron: '0 0 1 1 *', emits: [] }
    export const handler = async (ctx) => { throw new Error('cron failed on purpose: ' + typeof ctx.state) }`,
}

describe('createTestRuntime', () => {
  test('request → queue → state trigger → queue → stream: drain waits for all of it', async () => {
    await using rt = await createTestRuntime({ dir: project(ORDERS) })
    const res = await rt.request('/orders', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ item: 'book' }),
    })
    expect(res.status).toBe(202)
    await rt.drain()
    expect(rt.enqueues.map(({ topic, step, data }) => ({ topic, step, data }))).toEqual([
      { topic: 'order.created', step: 'Create', data: { id: 'o1', item: 'book' } },
      { topic: 'order.stored', step: 'Store', data: { id: 'o1' } },
    ])
    // The enqueue made in the HTTP handler and the message it led to share the trace.
    expect(rt.enqueues[1]!.traceId).toBe(rt.enqueues[0]!.traceId)
    expect(await rt.state.get('orders', 'o1')).toEqual({ id: 'o1', item: 'book' })
    // The state-trigger handler (20 ms, fire-and-forget in the runtime) has finished too.
    expect(await rt.state.get('audit', 'o1')).toEqual({ event: 'state:created' })
    expect(await rt.streams.orderFeed!.get('all', 'o1')).toEqual({ id: 'o1', status: 'stored' })
    expect(rt.logs).toContainEqual(
      expect.objectContaining({ level: 'info', msg: 'order received', step: 'Create', fields: { item: 'book' } }),
    )
    rt.clear()
    expect([rt.logs.length, rt.enqueues.length]).toEqual([0, 0])
  })

  test('enqueue() from the test, state writes fire state triggers, nothing is written to the project', async () => {
    const dir = project(ORDERS)
    await using rt = await createTestRuntime({ dir: pathToFileURL(dir) })
    await rt.enqueue({ topic: 'order.created', data: { id: 'o2', item: 'pen' }, traceId: 'trace-1' })
    await rt.state.set('orders', 'o3', { id: 'o3' })
    await rt.drain()
    expect(rt.enqueues[0]).toEqual({
      topic: 'order.created',
      data: { id: 'o2', item: 'pen' },
      traceId: 'trace-1',
      step: 'test',
    })
    expect(await rt.state.getGroup('audit')).toEqual([{ event: 'state:created' }, { event: 'state:created' }])
    expect(await rt.state.listGroups()).toEqual(['audit', 'orders'])
    // Memory adapters: no SQLite file appears in the project.
    expect(existsSync(join(dir, '.motia'))).toBe(false)
  })

  test('stop() without drain: the running handler finishes first; stop is idempotent', async () => {
    const rt = await createTestRuntime({ dir: project(ORDERS) })
    await rt.request('/orders', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"item":"x"}',
    })
    await Promise.all([rt.stop(), rt.stop()])
    expect(rt.logs.filter((l) => l.level === 'error')).toEqual([])
  })

  test('drain waits for a retry after its backoff', async () => {
    const dir = project({
      'steps/flaky.step.ts': `
        import { queue } from 'motia'
        export const config = { name: 'Flaky', triggers: [queue('job', { config: { maxRetries: 2, backoffType: 'fixed', backoffDelayMs: 50 } })] }
        export const handler = async (job, { state }) => {
          const { new_value } = await state.update('attempts', job.id, [{ type: 'increment', path: 'n', by: 1 }])
          if (new_value.n < 2) throw new Error('transient')
        }`,
    })
    await using rt = await createTestRuntime({ dir })
    await rt.enqueue({ topic: 'job', data: { id: 'j' } })
    await rt.drain()
    expect(await rt.state.get('attempts', 'j')).toEqual({ n: 2 })
  })

  test('cron(name) runs a cron handler now; its error rejects', async () => {
    await using rt = await createTestRuntime({ dir: project(ORDERS) })
    await rt.cron('Tick')
    await rt.cron('Tick')
    expect(await rt.state.get('ticks', 'n')).toEqual({ n: 2 })
    // A 0.x cron handler gets ctx as its only argument.
    // (`expect(promise).rejects` would block the event loop the worker answers through.)
    const failed = await rt.cron('LegacyCron').catch((e: Error) => e)
    expect(failed).toMatchObject({ message: 'cron failed on purpose: object' })
    const unknown = await rt.cron('Create').catch((e: Error) => e)
    expect(unknown).toMatchObject({ message: 'no step "Create" with a cron trigger (cron steps: LegacyCron, Tick)' })
  })

  test('config overrides reach the modules; two runtimes are isolated', async () => {
    const dir = project(ORDERS)
    await using a = await createTestRuntime({ dir, config: { http: { validateBody: false } } })
    await using b = await createTestRuntime({ dir })
    const post = (rt: typeof a) =>
      rt.request('/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"item":1}' })
    expect([(await post(a)).status, (await post(b)).status]).toEqual([202, 400])
    await a.drain()
    expect([await a.state.get('orders', 'o1'), await b.state.get('orders', 'o1')]).toEqual([
      { id: 'o1', item: 1 },
      null,
    ])
  })

  test('boot errors reject: a broken step, an invalid config.yaml', async () => {
    const broken = project({
      ...ORDERS,
      'steps/broken.step.ts': 'export const config = { name: "Broken", triggers: [{ type: "http" }] }',
    })
    const err = await createTestRuntime({ dir: broken }).catch((e) => e)
    expect(err.code).toBe('E_PROJECT_INVALID')
    expect(err.message).toContain('steps/broken.step.ts')
    const badConfig = project({ ...ORDERS, 'config.yaml': 'queue:\n  adapterr: memory\n' })
    expect(await createTestRuntime({ dir: badConfig }).catch((e) => e)).toMatchObject({ code: 'E_CONFIG_INVALID' })
  })
})

describe('createTestContext', () => {
  test('records enqueues and logs; state and streams in memory with real update ops', async () => {
    const config = {
      name: 'Create',
      triggers: [{ type: 'http', method: 'POST', path: '/x' }],
      enqueues: ['a'],
    } as const
    const ctx = createTestContext({ step: config, traceId: 't1', input: { body: { n: 1 } } })
    await ctx.enqueue({ topic: 'a', data: { n: 1 } })
    // An undeclared topic (the types refuse it; the runtime warns).
    await (ctx.enqueue as (m: { topic: string; data: unknown }) => Promise<void>)({ topic: 'b', data: {} })
    ctx.logger.info('hello', { x: 1 })
    expect(ctx.enqueues).toEqual([
      { topic: 'a', data: { n: 1 }, traceId: 't1', step: 'Create' },
      { topic: 'b', data: {}, traceId: 't1', step: 'Create' },
    ])
    // Enqueueing an undeclared topic is warned about, as in the runtime.
    expect(ctx.logs.map((l) => [l.level, l.msg])).toEqual([
      ['warn', 'step "Create" enqueued to topic "b", which its config does not declare in enqueues'],
      ['info', 'hello'],
    ])
    expect(await ctx.state.set('g', 'k', { n: 1 })).toEqual({ old_value: null, new_value: { n: 1 } })
    expect(await ctx.state.update('g', 'k', [{ type: 'increment', path: 'n', by: 2 }])).toEqual({
      old_value: { n: 1 },
      new_value: { n: 3 },
    })
    const feed = ctx.streams.feed!
    expect(await feed.set('all', 'i1', { text: 'x' })).toEqual({ id: 'i1', text: 'x' })
    await feed.send({ groupId: 'all' }, { type: 'ping', data: 1 })
    expect(ctx.streamEvents).toEqual([
      { stream: 'feed', channel: { groupId: 'all' }, event: { type: 'ping', data: 1 } },
    ])
    expect([ctx.trigger, ctx.getData(), ctx.traceId]).toEqual([
      { type: 'http', index: 0, method: 'POST', path: '/x' },
      { n: 1 },
      't1',
    ])
    expect(await ctx.match({ http: () => 'http', queue: () => 'queue' })).toBe('http')
  })

  test('a 0.x step gets the 0.x ctx; run() calls a cron handler with ctx only, module-level SDK calls see it', async () => {
    const config = { type: 'cron', name: 'Legacy', cron: '* * * * *', emits: [] } as const
    const ctx = createTestContext({ step: config })
    expect(await ctx.state.set('g', 'k', 5)).toBe(5)
    expect(ctx.trigger).toEqual({ type: 'cron', index: 0, expression: '* * * * *' })
    const seen = await ctx.run((c: unknown) => {
      logger.info('from the module-level logger')
      return c === ctx
    })
    expect(seen).toBe(true)
    expect(ctx.logs).toMatchObject([{ msg: 'from the module-level logger', step: 'Legacy', traceId: ctx.traceId }])
  })

  test('without a step: any topic, no warning; trigger by index', async () => {
    const ctx = createTestContext()
    await ctx.enqueue({ topic: 'anything', data: 1 })
    expect([ctx.enqueues.length, ctx.logs]).toEqual([1, []])
    const q = createTestContext({
      step: {
        name: 'Q',
        triggers: [
          { type: 'http', method: 'GET', path: '/' },
          { type: 'queue', topic: 't' },
        ],
      },
      trigger: 1,
      input: { id: 1 },
    })
    expect([q.trigger, q.getData(), q.is.queue(undefined)]).toEqual([
      { type: 'queue', index: 1, topic: 't' },
      { id: 1 },
      true,
    ])
  })
})
