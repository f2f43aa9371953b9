import { afterAll, describe, expect, test } from 'bun:test'
import type { QueueConfig } from '../../../sdk/types'
import { dropRabbit, freshRabbitPrefix, rabbitForTests, TEST_RABBITMQ_URL } from '../../../test/support/rabbitmq'
import type { Subscription } from '../adapter'
import { RabbitQueueAdapter } from './rabbitmq'
import { connectRabbit, type RabbitTarget } from './rabbitmq-connection'

const up = await rabbitForTests('RabbitMQ redeliveries')
const declared = { queues: new Set<string>(), exchanges: new Set<string>() }
afterAll(async () => {
  if (up) await dropRabbit({ queues: [...declared.queues], exchanges: [...declared.exchanges] })
})

const config: QueueConfig = {
  type: 'standard',
  maxRetries: 1,
  backoffType: 'fixed',
  backoffDelayMs: 10,
  concurrency: 1,
  visibilityTimeout: 30,
  delaySeconds: 0,
}

/** An instance of the app on the broker; `die()` drops its sockets as a SIGKILL would. */
async function instance(target: RabbitTarget, sub: Subscription) {
  const pub = await connectRabbit(target.url, 'test:publish')
  const con = await connectRabbit(target.url, 'test:consume')
  const a = new RabbitQueueAdapter(pub, con, target)
  let woken!: () => void
  let wake = new Promise<void>((r) => (woken = r))
  a.onReady(() => {
    woken()
    wake = new Promise<void>((r) => (woken = r))
  })
  await a.setSubscriptions([sub])
  return {
    a,
    /** Resolves at the next announcement of work (a delivery, a dead-lettering). */
    next: () => wake,
    async die() {
      for (const q of a.declared().queues) declared.queues.add(q)
      for (const e of a.declared().exchanges) declared.exchanges.add(e)
      con.unsafeDestroy()
      pub.unsafeDestroy()
    },
  }
}

async function claimOne(i: Awaited<ReturnType<typeof instance>>, id: string) {
  for (;;) {
    const woken = i.next()
    const [m] = await i.a.claim(id, 1)
    if (m) return m
    await woken
  }
}

describe.if(up)('RabbitMQ: a message whose handler kills its process', () => {
  for (const queueType of ['classic', 'quorum'] as const) {
    for (const type of ['standard', 'fifo'] as const) {
      test(`${queueType} ${type}: dead-lettered after maxRetries deaths; a message only prefetched loses one attempt`, async () => {
        const target: RabbitTarget = { url: TEST_RABBITMQ_URL, prefix: freshRabbitPrefix('redeliver'), queueType }
        const sub: Subscription = { id: 's', topic: 't', config: { ...config, type } }
        const group = type === 'fifo' ? { messageGroupId: 'g' } : {}
        // Each instance starts the poison message and dies (a SIGKILL: its sockets drop).
        const first = await instance(target, sub)
        await first.a.enqueue({ topic: 't', data: 'poison', traceId: 'p', ...group })
        await first.a.enqueue({ topic: 't', data: 'fine', traceId: 'f', ...group })
        expect(await claimOne(first, 's')).toMatchObject({ data: 'poison', attempt: 1 })
        await first.die()
        const second = await instance(target, sub)
        expect(await claimOne(second, 's')).toMatchObject({ data: 'poison', attempt: 2 })
        await second.die()
        // maxRetries 1: no third start. The message that sat prefetched runs, one attempt spent.
        const third = await instance(target, sub)
        try {
          const fine = await claimOne(third, 's')
          expect(fine).toMatchObject({ data: 'fine', attempt: 2 })
          await third.a.ack(fine.id)
          for (;;) {
            const woken = third.next()
            if ((await third.a.stats())[0]?.dead === 1) break
            await woken
          }
          const [dead] = await third.a.deadLetters()
          expect(dead).toMatchObject({ data: 'poison', attempts: 3, subscription: 's' })
          expect(dead?.reason).toContain('died 2 time(s)')
          expect(await third.a.claim('s', 10)).toEqual([])
        } finally {
          for (const q of third.a.declared().queues) declared.queues.add(q)
          await third.a.close()
          await first.a.close().catch(() => {})
          await second.a.close().catch(() => {})
        }
      })
    }
  }
})

describe.if(up)('RabbitMQ quorum queues: retries', () => {
  test('a retry waits in a quorum delay queue that dead-letters at-least-once, and comes back', async () => {
    const target: RabbitTarget = { url: TEST_RABBITMQ_URL, prefix: freshRabbitPrefix('qdelay'), queueType: 'quorum' }
    const i = await instance(target, { id: 's', topic: 't', config })
    // A classic delay queue of the same delay, as an earlier version left it (bound with its ms):
    // it must neither block the quorum one nor get a copy of its retries.
    const old = await connectRabbit(target.url, 'test:old-layout')
    const oldQueue = `${target.prefix}.delay.10`
    try {
      const ch = await old.acquire()
      await ch.queueDeclare({
        queue: oldQueue,
        durable: true,
        arguments: { 'x-message-ttl': 60_000, 'x-dead-letter-exchange': '', 'x-expires': 600_000 },
      })
      await ch.queueBind({
        queue: oldQueue,
        exchange: `${target.prefix}.delay`,
        arguments: { 'x-match': 'all', 'motia-delay': '10' },
      })
      await ch.close()
    } finally {
      await old.close()
    }
    try {
      await i.a.enqueue({ topic: 't', data: 1, traceId: 'r' })
      const m = await claimOne(i, 's')
      const failure = { error: { name: 'Error', message: 'boom' }, retryable: true }
      expect(await i.a.nack(m.id, failure)).toBe('retry')
      expect(await claimOne(i, 's')).toMatchObject({ data: 1, attempt: 2 })
      // The broker checks a redeclaration's arguments: only the at-least-once ones match.
      const conn = await connectRabbit(target.url, 'test:inspect')
      const queue = `${target.prefix}.delay.q10`
      const base = {
        'x-message-ttl': 10,
        'x-dead-letter-exchange': '',
        'x-expires': 10 + 600_000,
        'x-queue-type': 'quorum' as const,
      }
      try {
        const ch = await conn.acquire()
        await expect(ch.queueDeclare({ queue, durable: true, arguments: base })).rejects.toMatchObject({
          code: 'PRECONDITION_FAILED',
        })
        const ok = await conn.acquire()
        const atLeastOnce = {
          ...base,
          'x-dead-letter-strategy': 'at-least-once',
          'x-overflow': 'reject-publish' as const,
        }
        expect(await ok.queueDeclare({ queue, durable: true, arguments: atLeastOnce })).toMatchObject({ queue })
        // The old classic queue got no copy of the retry.
        expect((await ok.queueDeclare({ queue: oldQueue, passive: true })).messageCount).toBe(0)
        await ok.close()
      } finally {
        await conn.close()
      }
    } finally {
      for (const q of i.a.declared().queues) declared.queues.add(q)
      for (const e of i.a.declared().exchanges) declared.exchanges.add(e)
      await i.a.close()
    }
  })
})
