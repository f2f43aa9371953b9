import { afterEach, describe, expect, test } from 'bun:test'
import type { QueueConfig } from '../../sdk/types'
import type { QueueAdapter, Subscription } from './adapter'

export interface Clock {
  now: () => number
  advance(ms: number): void
}

export function fakeClock(start = 1_700_000_000_000): Clock {
  let t = start
  return {
    now: () => t,
    advance: (ms) => {
      t += ms
    },
  }
}

const base: QueueConfig = {
  type: 'standard',
  maxRetries: 2,
  backoffType: 'exponential',
  backoffDelayMs: 1000,
  concurrency: 10,
  visibilityTimeout: 30,
  delaySeconds: 0,
}
const sub = (id: string, topic: string, config: Partial<QueueConfig> = {}): Subscription => ({
  id,
  topic,
  config: { ...base, ...config },
})
const err = { name: 'Error', message: 'boom' }

/** The conformance suite every QueueAdapter passes; `make` gets a clock to inject (no sleeps). */
export function queueAdapterSuite(name: string, make: (clock: Clock) => QueueAdapter | Promise<QueueAdapter>): void {
  describe(`QueueAdapter: ${name}`, () => {
    const open: QueueAdapter[] = []
    afterEach(async () => {
      for (const a of open.splice(0)) await a.close()
    })
    async function setup(subs: Subscription[]) {
      const clock = fakeClock()
      const a = await make(clock)
      open.push(a)
      await a.setSubscriptions(subs)
      return { a, clock }
    }

    test('fan-out: one copy per subscription; a topic with none drops the message', async () => {
      const { a } = await setup([sub('s1', 't'), sub('s2', 't')])
      expect(await a.enqueue({ topic: 't', data: { n: 1 }, traceId: 'tr' })).toHaveLength(2)
      expect(await a.enqueue({ topic: 'nobody', data: 1, traceId: 'tr' })).toEqual([])
      const [m1] = await a.claim('s1', 10)
      const [m2] = await a.claim('s2', 10)
      expect(m1).toMatchObject({ topic: 't', subscription: 's1', data: { n: 1 }, traceId: 'tr', attempt: 1 })
      expect(m2?.subscription).toBe('s2')
    })

    test('claim respects max and order; claimed messages are not claimed again; ack removes', async () => {
      const { a } = await setup([sub('s', 't')])
      for (let i = 0; i < 5; i++) await a.enqueue({ topic: 't', data: i, traceId: 'x' })
      const first = await a.claim('s', 3)
      expect(first.map((m) => m.data)).toEqual([0, 1, 2])
      const rest = await a.claim('s', 10)
      expect(rest.map((m) => m.data)).toEqual([3, 4])
      for (const m of [...first, ...rest]) await a.ack(m.id)
      expect(await a.claim('s', 10)).toEqual([])
      // Oldest first over a longer backlog too, with acks in between.
      await Promise.all(Array.from({ length: 300 }, (_, i) => a.enqueue({ topic: 't', data: i, traceId: 'x' })))
      const seen: number[] = []
      for (let batch = await a.claim('s', 7); batch.length > 0; batch = await a.claim('s', 7)) {
        seen.push(...batch.map((m) => m.data as number))
        await Promise.all(batch.map((m) => a.ack(m.id)))
      }
      expect(seen).toEqual(Array.from({ length: 300 }, (_, i) => i))
      expect((await a.stats())[0]).toMatchObject({ ready: 0, inFlight: 0, delayed: 0, dead: 0 })
    })

    test('retry with exponential backoff, then dead letter after maxRetries with data, error and attempts', async () => {
      const { a, clock } = await setup([sub('s', 't', { maxRetries: 2 })])
      await a.enqueue({ topic: 't', data: { order: 7 }, traceId: 'x' })
      let [m] = await a.claim('s', 1)
      expect(await a.nack(m!.id, { error: err, retryable: true })).toBe('retry')
      expect(await a.claim('s', 1)).toEqual([])
      expect(await a.nextReadyAt('s')).toBe(clock.now() + 1000)
      clock.advance(1000)
      ;[m] = await a.claim('s', 1)
      expect(m!.attempt).toBe(2)
      expect(await a.nack(m!.id, { error: err, retryable: true })).toBe('retry')
      clock.advance(1999)
      expect(await a.claim('s', 1)).toEqual([])
      clock.advance(1)
      ;[m] = await a.claim('s', 1)
      expect(m!.attempt).toBe(3)
      expect(await a.nack(m!.id, { error: err, retryable: true })).toBe('dead')
      const dead = await a.deadLetters()
      expect(dead).toEqual([
        expect.objectContaining({
          topic: 't',
          subscription: 's',
          data: { order: 7 },
          error: err,
          attempts: 3,
          failedAt: clock.now(),
        }),
      ])
      expect((await a.stats())[0]).toMatchObject({ dead: 1, ready: 0 })
    })

    test('non-retriable → dead at once; retryAfterMs overrides the backoff', async () => {
      const { a, clock } = await setup([sub('s', 't')])
      await a.enqueue({ topic: 't', data: 1, traceId: 'x' })
      await a.enqueue({ topic: 't', data: 2, traceId: 'x' })
      const [m1, m2] = await a.claim('s', 2)
      expect(await a.nack(m1!.id, { error: err, retryable: false })).toBe('dead')
      expect(await a.nack(m2!.id, { error: err, retryable: true, retryAfterMs: 50 })).toBe('retry')
      clock.advance(50)
      expect((await a.claim('s', 5)).map((m) => m.data)).toEqual([2])
    })

    test('delays: per message and per subscription', async () => {
      const { a, clock } = await setup([sub('s', 't', { delaySeconds: 2 })])
      await a.enqueue({ topic: 't', data: 1, traceId: 'x' })
      await a.enqueue({ topic: 't', data: 2, traceId: 'x', delayMs: 3000 })
      clock.advance(1999)
      expect(await a.claim('s', 5)).toEqual([])
      expect((await a.stats())[0]).toMatchObject({ delayed: 2, ready: 0 })
      clock.advance(1)
      expect((await a.claim('s', 5)).map((m) => m.data)).toEqual([1])
      clock.advance(3000)
      expect((await a.claim('s', 5)).map((m) => m.data)).toEqual([2])
    })

    test('visibility timeout: an expired lease is redelivered with the next attempt number', async () => {
      const { a, clock } = await setup([sub('s', 't', { visibilityTimeout: 10 })])
      await a.enqueue({ topic: 't', data: 1, traceId: 'x' })
      await a.claim('s', 1)
      clock.advance(9000)
      expect(await a.recoverExpired()).toBe(0)
      clock.advance(1001)
      expect(await a.recoverExpired()).toBe(1)
      const [m] = await a.claim('s', 1)
      expect(m!.attempt).toBe(2)
    })

    test('release returns a message without counting the attempt', async () => {
      const { a } = await setup([sub('s', 't')])
      await a.enqueue({ topic: 't', data: 1, traceId: 'x' })
      const [m] = await a.claim('s', 1)
      await a.release(m!.id)
      expect((await a.claim('s', 1))[0]!.attempt).toBe(1)
    })

    test('FIFO: one in flight per group, in enqueue order; groups run in parallel', async () => {
      const { a } = await setup([sub('s', 't', { type: 'fifo' })])
      for (const [g, n] of [
        ['a', 1],
        ['b', 1],
        ['a', 2],
        ['b', 2],
        ['a', 3],
      ] as const) {
        await a.enqueue({ topic: 't', data: `${g}${n}`, traceId: 'x', messageGroupId: g })
      }
      const first = await a.claim('s', 10)
      expect(first.map((m) => m.data)).toEqual(['a1', 'b1'])
      expect(await a.claim('s', 10)).toEqual([])
      await a.ack(first[0]!.id)
      expect((await a.claim('s', 10)).map((m) => m.data)).toEqual(['a2'])
    })

    test('FIFO: a failed message blocks its group until it is retried', async () => {
      const { a, clock } = await setup([sub('s', 't', { type: 'fifo' })])
      await a.enqueue({ topic: 't', data: 'a1', traceId: 'x', messageGroupId: 'a' })
      await a.enqueue({ topic: 't', data: 'a2', traceId: 'x', messageGroupId: 'a' })
      const [m] = await a.claim('s', 10)
      await a.nack(m!.id, { error: err, retryable: true })
      expect(await a.claim('s', 10)).toEqual([])
      clock.advance(1000)
      expect((await a.claim('s', 10)).map((x) => x.data)).toEqual(['a1'])
    })

    test('idempotency key: a second enqueue while the first is queued is ignored', async () => {
      const { a } = await setup([sub('s', 't')])
      const ids1 = await a.enqueue({ topic: 't', data: 1, traceId: 'x', idempotencyKey: 'k' })
      const ids2 = await a.enqueue({ topic: 't', data: 2, traceId: 'x', idempotencyKey: 'k' })
      expect(ids2).toEqual(ids1)
      expect((await a.claim('s', 10)).map((m) => m.data)).toEqual([1])
    })

    test('dead letters: direct, list with filters, retry and drop', async () => {
      const { a } = await setup([sub('s1', 't1'), sub('s2', 't2')])
      await a.enqueue({ topic: 't1', data: 1, traceId: 'x' })
      await a.enqueue({ topic: 't2', data: 2, traceId: 'x' })
      const [m1] = await a.claim('s1', 1)
      const [m2] = await a.claim('s2', 1)
      await a.deadLetter(m1!.id, 'input does not match the schema')
      await a.deadLetter(m2!.id, 'bad')
      expect((await a.deadLetters({ topic: 't1' })).map((d) => d.reason)).toEqual(['input does not match the schema'])
      expect(await a.retryDeadLetters('all', { topic: 't1' })).toBe(1)
      const [again] = await a.claim('s1', 1)
      expect(again).toMatchObject({ data: 1, attempt: 1 })
      expect(await a.dropDeadLetters('all')).toBe(1)
      expect(await a.deadLetters()).toEqual([])
    })

    test('onReady announces new work per subscription', async () => {
      const { a } = await setup([sub('s1', 't'), sub('s2', 'u')])
      const seen: string[] = []
      const off = a.onReady((s) => seen.push(s))
      await a.enqueue({ topic: 't', data: 1, traceId: 'x' })
      off()
      await a.enqueue({ topic: 'u', data: 1, traceId: 'x' })
      expect(seen).toEqual(['s1'])
    })
  })
}
