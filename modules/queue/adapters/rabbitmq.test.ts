import { afterAll } from 'bun:test'
import { dropRabbit, freshRabbitPrefix, rabbitForTests, TEST_RABBITMQ_URL } from '../../../test/support/rabbitmq'
import type { QueueAdapter } from '../adapter'
import { type Clock, queueAdapterSuite } from '../adapter.suite'
import { RabbitQueueAdapter } from './rabbitmq'

const up = await rabbitForTests('QueueAdapter: rabbitmq')
const made: RabbitQueueAdapter[] = []
afterAll(async () => {
  for (const a of made) await dropRabbit(a.declared())
})

/**
 * The suite's clock drives what this adapter keeps (leases, FIFO retries, failedAt); the broker
 * pushes messages asynchronously and expires delayed ones on its own clock. So before a claim
 * the test waits until every copy this adapter published that is due by the suite's clock has
 * reached the consumer (an event, not a sleep): a message due later is not there yet.
 */
async function withClock(clock: Clock, queueType: 'classic' | 'quorum'): Promise<QueueAdapter> {
  const a = await RabbitQueueAdapter.connect(
    { url: TEST_RABBITMQ_URL, prefix: freshRabbitPrefix('queue'), queueType },
    { now: clock.now, trackArrivals: true },
  )
  made.push(a)
  const claim = a.claim.bind(a)
  a.claim = async (sub, max) => {
    await a.settled(clock.now())
    return claim(sub, max)
  }
  return a
}

if (up) {
  queueAdapterSuite('rabbitmq (classic queues)', (clock) => withClock(clock, 'classic'))
  queueAdapterSuite('rabbitmq (quorum queues)', (clock) => withClock(clock, 'quorum'))
}
