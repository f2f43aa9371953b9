import type { QueueAdapter, Subscription } from '../adapter'

/** A shared queue that knows the subscriptions its instances registered (Redis, RabbitMQ). */
export interface SharedQueue extends QueueAdapter {
  knownSubscriptions(): Promise<Subscription[]>
}

/**
 * `adapter` opened from outside the servers (`motia queue`), with every subscription an instance
 * registered set on it, so depth and dead letters are shown without loading the project. Closed,
 * and the error rethrown, when that fails.
 */
export async function withKnownSubscriptions<A extends SharedQueue>(adapter: A): Promise<A> {
  try {
    await adapter.setSubscriptions(await adapter.knownSubscriptions())
    return adapter
  } catch (err) {
    await adapter.close()
    throw err
  }
}
