import type { RedisTarget } from '../../storage/redis-connection'
import { BullmqQueueAdapter } from './bullmq'

/**
 * The Redis queue as `motia queue` sees it from outside the servers: every subscription any
 * instance registered, so depth and dead letters are shown without loading the project.
 */
export async function openRedisQueue(target: RedisTarget): Promise<BullmqQueueAdapter> {
  const adapter = await BullmqQueueAdapter.connect(target)
  try {
    await adapter.setSubscriptions(await adapter.knownSubscriptions())
    return adapter
  } catch (err) {
    await adapter.close()
    throw err
  }
}
