import type { RedisTarget } from '../../storage/redis-connection'
import { BullmqQueueAdapter } from './bullmq'
import { withKnownSubscriptions } from './known-subscriptions'

/**
 * The Redis queue as `motia queue` sees it from outside the servers: every subscription any
 * instance registered, so depth and dead letters are shown without loading the project.
 */
export async function openRedisQueue(target: RedisTarget): Promise<BullmqQueueAdapter> {
  return withKnownSubscriptions(await BullmqQueueAdapter.connect(target))
}
