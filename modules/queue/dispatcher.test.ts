import { Database } from 'bun:sqlite'
import { afterEach, expect, test } from 'bun:test'
import { StructuredLogger } from '../../runtime/logger'
import type { StepDefinition } from '../../runtime/step'
import type { QueueConfig } from '../../sdk/types'
import { SqliteQueueAdapter } from './adapters/sqlite'
import { Dispatcher } from './dispatcher'
import type { BackgroundJob, BackgroundRunner } from './runner'
import type { SubscriptionDef } from './subscriptions'

const quiet = new StructuredLogger({ enabled: () => false, emit: () => {} })

/** The store with every claim counted: how many rows each asked for, and returned. */
class CountingSqlite extends SqliteQueueAdapter {
  readonly asked: number[] = []
  readonly claims: number[] = []
  private waiters: { n: number; resolve: () => void }[] = []
  override async claim(subscription: string, max: number) {
    this.asked.push(max)
    const rows = await super.claim(subscription, max)
    this.claims.push(rows.length)
    for (const w of this.waiters.filter((w) => this.rows() >= w.n)) w.resolve()
    return rows
  }
  private rows = () => this.claims.reduce((a, b) => a + b, 0)
  /** Resolves once the claims have returned `n` messages in all. */
  claimed(n: number): Promise<void> {
    if (this.rows() >= n) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push({ n, resolve }))
  }
}

/** Runs jobs in process, each taking `ms`: each handled message's data, in order, and a wait for the n-th. */
class Handled implements BackgroundRunner {
  readonly data: unknown[] = []
  readonly attempts: number[] = []
  private waiters: { n: number; resolve: () => void }[] = []
  constructor(private readonly ms = 0) {}
  async run(job: BackgroundJob) {
    if (this.ms > 0) await Bun.sleep(this.ms)
    this.data.push(job.input)
    this.attempts.push(job.attempt)
    for (const w of this.waiters.filter((w) => this.data.length >= w.n)) w.resolve()
    return { status: 'ok' as const }
  }
  count(n: number): Promise<void> {
    if (this.data.length >= n) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push({ n, resolve }))
  }
}

const config = (type: QueueConfig['type'], more: Partial<QueueConfig> = {}): QueueConfig => ({
  type,
  maxRetries: 3,
  backoffType: 'fixed',
  backoffDelayMs: 10,
  concurrency: 20,
  visibilityTimeout: 30,
  delaySeconds: 0,
  ...more,
})

const open: { adapter: SqliteQueueAdapter; dispatcher: Dispatcher }[] = []
afterEach(async () => {
  for (const { adapter, dispatcher } of open.splice(0)) {
    await dispatcher.stop()
    await adapter.close()
  }
})

function setup(type: QueueConfig['type'], handlerMs = 0, more: Partial<QueueConfig> = {}) {
  const adapter = new CountingSqlite(new Database(':memory:'))
  const runner = new Handled(handlerMs)
  const dispatcher = new Dispatcher(adapter, runner, quiet)
  const def: SubscriptionDef = {
    id: 's',
    topic: 't',
    step: { name: 'step' } as StepDefinition,
    def: { type: 'queue', topic: 't', index: 0 } as SubscriptionDef['def'],
    config: config(type, more),
  }
  adapter.setSubscriptions([def])
  dispatcher.setSubscriptions([def])
  dispatcher.start()
  open.push({ adapter, dispatcher })
  return { adapter, runner, dispatcher }
}

test('one message at a time: one claim each, none after the slot frees while nothing new is announced', async () => {
  const { adapter, runner, dispatcher } = setup('standard')
  for (let i = 1; i <= 5; i++) {
    // Counted from the second message: the start-up's claims are over by then.
    if (i === 2) adapter.claims.length = 0
    await adapter.enqueue({ topic: 't', data: i, traceId: 'x' })
    await runner.count(i)
    await dispatcher.idle()
  }
  expect(runner.data).toEqual([1, 2, 3, 4, 5])
  expect(adapter.claims).toEqual([1, 1, 1, 1])
})

test('a delayed message enqueued after a short claim still runs when it is due', async () => {
  const { adapter, runner } = setup('standard')
  await adapter.enqueue({ topic: 't', data: 'now', traceId: 'x' })
  await adapter.enqueue({ topic: 't', data: 'later', traceId: 'x', delayMs: 30 })
  await runner.count(2)
  expect(runner.data).toEqual(['now', 'later'])
})

test('FIFO: an ack makes the group’s next message claimable without an announcement', async () => {
  // Handlers long enough for the claims after a1's to find its group blocked and come back empty.
  const { adapter, runner } = setup('fifo', 20)
  const started = performance.now()
  for (const data of ['a1', 'a2', 'a3']) void adapter.enqueue({ topic: 't', data, traceId: 'x', messageGroupId: 'a' })
  await runner.count(3)
  expect(runner.data).toEqual(['a1', 'a2', 'a3'])
  // Not waiting for the lease sweeper's pump (every second), once per message.
  expect(performance.now() - started).toBeLessThan(900)
})

test('FIFO: while a group’s oldest message runs, its next one is not claimed again and again', async () => {
  const { adapter, runner } = setup('fifo', 200)
  for (const data of ['a1', 'a2']) void adapter.enqueue({ topic: 't', data, traceId: 'x', messageGroupId: 'a' })
  await runner.count(2)
  expect(runner.data).toEqual(['a1', 'a2'])
  // A claim per enqueue and per ack, give or take; a 1 ms timer on a2's past visible_at made ~200.
  expect(adapter.claims.length).toBeLessThan(10)
})

test('claim-ahead: a message that waited a quarter of its lease for a slot goes back to the store and runs once, attempt 1', async () => {
  // Two slots and 300 ms handlers: the claims take 1 (the first enqueue's), then 2 of which one
  // waits 300 ms > 1 s / 4 for a slot, goes back, and is claimed again.
  const { adapter, runner, dispatcher } = setup('standard', 300, { concurrency: 2, visibilityTimeout: 1 })
  await Promise.all([1, 2, 3].map((data) => adapter.enqueue({ topic: 't', data, traceId: 'x' })))
  await runner.count(3)
  await dispatcher.idle()
  expect({ data: runner.data.sort(), attempts: runner.attempts, claimed: adapter.claims.filter((n) => n > 0) }).toEqual(
    {
      data: [1, 2, 3],
      attempts: [1, 1, 1],
      claimed: [1, 2, 1],
    },
  )
})

test('claim-ahead stops while handlers are slow: a claim asks only for what the free slots run', async () => {
  const { adapter, runner, dispatcher } = setup('standard', 100, { concurrency: 4 })
  await adapter.enqueue({ topic: 't', data: 0, traceId: 'x' })
  await runner.count(1)
  await dispatcher.idle() // one 100 ms run over: this subscription's handlers are not quick
  adapter.asked.length = 0
  await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((data) => adapter.enqueue({ topic: 't', data, traceId: 'x' })))
  await runner.count(9)
  expect(Math.max(...adapter.asked)).toBe(4)
})

test('claim-ahead: a drain gives the messages claimed ahead back to the store, not running them', async () => {
  const { adapter, runner, dispatcher } = setup('standard', 100, { concurrency: 2 })
  await Promise.all([1, 2, 3].map((data) => adapter.enqueue({ topic: 't', data, traceId: 'x' })))
  await adapter.claimed(3) // [1], then [2, 3]: one or two messages running, the rest waiting here
  expect(await dispatcher.drain(Date.now() + 5000)).toBe(0)
  const [stats] = await adapter.stats()
  // Every message either ran or is back in the store, none left leased to this instance.
  expect({ inFlight: stats!.inFlight, total: runner.data.length + stats!.ready }).toEqual({ inFlight: 0, total: 3 })
  expect(stats!.ready).toBeGreaterThanOrEqual(1)
})
