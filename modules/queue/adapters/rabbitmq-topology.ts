import { createHash } from 'node:crypto'
import type { Subscription } from '../adapter'
import type { RabbitTarget } from './rabbitmq-connection'

/**
 * Names and arguments of everything the RabbitMQ queue declares, all under `<prefix>.`:
 *
 * - `<prefix>.topics` (topic exchange): an enqueue is published once, routing key = the topic;
 * - `<prefix>.sub.<subscription>` (durable queue, classic or quorum): one per subscription,
 *   bound to `<prefix>.topics` with its topic, so each subscription gets its own copy. A FIFO
 *   subscription's queue has single-active-consumer on. A subscription with `delaySeconds` is
 *   not bound: its copy goes through the delay path;
 * - `<prefix>.sub.<subscription>.dlq` (classic durable queue): its dead letters;
 * - `<prefix>.delay` (headers exchange) and `<prefix>.delay.<ms>` (classic durable queues, one per
 *   distinct delay, `<prefix>.delay.q<ms>` quorum ones for quorum subscriptions, `x-message-ttl` = ms, dead-lettered to the default exchange, removed after
 *   sitting unused): a delayed copy is published there with routing key = its subscription
 *   queue, expires after exactly its delay and is routed back by that key (no polling, no head-
 *   of-line blocking: every message in one delay queue has the same TTL);
 * - `<prefix>.key.<subscription>.<key>` (classic queue, max length 1, reject-publish): an
 *   idempotency key held while its message is queued (a second publish is refused);
 * - `<prefix>.starts.<subscription>.<message id>.<attempt>` (classic queue): after a redelivery
 *   (a process died holding the message), one marker per start of that attempt, so that a
 *   message killing its processes is dead-lettered after `maxRetries` (rabbitmq-consumers.ts);
 * - `<prefix>.registry` (classic queue, max length 1): the subscriptions the last instance ran,
 *   read by `motia queue`.
 */
export class RabbitNames {
  constructor(private readonly target: RabbitTarget) {}

  get topics(): string {
    return `${this.target.prefix}.topics`
  }
  get delayExchange(): string {
    return `${this.target.prefix}.delay`
  }
  get registry(): string {
    return `${this.target.prefix}.registry`
  }
  queue(sub: string): string {
    return `${this.target.prefix}.sub.${sub}`
  }
  dlq(sub: string): string {
    return `${this.queue(sub)}.dlq`
  }
  /**
   * A delay's key: its header value on the delay exchange and its queue's suffix. Quorum delay
   * queues (other arguments) have keys of their own (`q<ms>`), so a classic delay queue left by an
   * earlier version (until it expires) neither blocks their declaration nor receives their copies.
   */
  delayKey(ms: number): string {
    return this.target.queueType === 'quorum' ? `q${ms}` : String(ms)
  }
  delayQueue(ms: number): string {
    return `${this.target.prefix}.delay.${this.delayKey(ms)}`
  }
  keyQueue(sub: string, key: string): string {
    return this.marker('key', sub, key)
  }
  /** Counts the starts of redelivered copies of attempt `attempt` of a message. */
  startsQueue(sub: string, messageId: string, attempt: number): string {
    return this.marker('starts', sub, `${messageId}.${attempt}`)
  }
  private marker(kind: string, sub: string, name: string): string {
    const full = `${this.target.prefix}.${kind}.${sub}.${name}`
    // Queue names stop at 255 bytes.
    if (Buffer.byteLength(full) <= 200) return full
    return `${this.target.prefix}.${kind}.${createHash('sha256').update(`${sub}\n${name}`).digest('hex')}`
  }
}

/** Headers a message carries (AMQP properties hold the id, timestamp and content type). */
export const H = {
  attempt: 'x-attempt',
  topic: 'motia-topic',
  trace: 'motia-trace',
  span: 'motia-span',
  group: 'motia-group',
  key: 'motia-key',
  enqueuedAt: 'motia-enqueued-at',
  delay: 'motia-delay',
  reason: 'motia-reason',
  error: 'motia-error',
  failedAt: 'motia-failed-at',
} as const

export type QueueArgs = Record<string, unknown>

export function mainQueueArgs(target: RabbitTarget, sub: Subscription): QueueArgs {
  const args: QueueArgs = {}
  if (target.queueType === 'quorum') args['x-queue-type'] = 'quorum'
  // One consumer of the fleet at a time gets a FIFO queue's messages, in order (others stand by).
  if (sub.config.type === 'fifo') args['x-single-active-consumer'] = true
  return args
}

/**
 * Unused delay queues go after this (longer than any message waits in them). With quorum
 * subscription queues the delay queues are quorum too, and dead-letter at-least-once: the broker
 * keeps an expired copy until the subscription queue confirmed it (a classic queue's
 * dead-lettering is at-most-once: a copy expiring while its quorum queue has no majority would be
 * dropped). At-least-once needs `reject-publish` (an overflow never drops a message).
 */
export function delayQueueArgs(target: RabbitTarget, ms: number): QueueArgs {
  const args: QueueArgs = { 'x-message-ttl': ms, 'x-dead-letter-exchange': '', 'x-expires': ms + 10 * 60_000 }
  if (target.queueType !== 'quorum') return args
  return {
    ...args,
    'x-queue-type': 'quorum',
    'x-dead-letter-strategy': 'at-least-once',
    'x-overflow': 'reject-publish',
  }
}

export const KEY_QUEUE_ARGS: QueueArgs = {
  'x-max-length': 1,
  'x-overflow': 'reject-publish',
  // A key whose release was lost (a process died between ack and delete) frees itself.
  'x-expires': 24 * 3600_000,
}

/** A starts counter: one marker per start; gone a day after its message stopped coming back. */
export const STARTS_QUEUE_ARGS: QueueArgs = { 'x-expires': 24 * 3600_000 }

export const REGISTRY_ARGS: QueueArgs = { 'x-max-length': 1, 'x-overflow': 'drop-head' }

/** The headers a message keeps when republished (not RabbitMQ's own x-death bookkeeping). */
export function ownHeaders(headers: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (!k.startsWith('x-death') && !k.startsWith('x-first-death') && !k.startsWith('x-last-death')) out[k] = v
  }
  return out
}
