import { withKnownSubscriptions } from './known-subscriptions'
import { RabbitQueueAdapter } from './rabbitmq'
import type { RabbitTarget } from './rabbitmq-connection'

/**
 * The RabbitMQ queue as `motia queue` sees it from outside the servers: the subscriptions the
 * last instance registered (`<prefix>.registry`), without consumers, so depth and dead letters
 * are shown and handled without loading the project. In flight and delayed are what a running
 * instance knows (AMQP does not report unacked counts): 0 here.
 */
export async function openRabbitQueue(target: RabbitTarget): Promise<RabbitQueueAdapter> {
  return withKnownSubscriptions(await RabbitQueueAdapter.connect(target, { consume: false }))
}
