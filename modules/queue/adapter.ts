import type { SerializedError } from '../../runtime/errors'
import type { Readiness } from '../../runtime/readiness'
import type { QueueConfig } from '../../sdk/types'

/** A consumer of a topic. Each subscription receives its own copy of every message. */
export interface Subscription {
  id: string
  topic: string
  config: QueueConfig
}

export interface EnqueueRequest {
  topic: string
  data: unknown
  traceId: string
  messageGroupId?: string
  /** While a message with this key is queued for a subscription, another is ignored. */
  idempotencyKey?: string
  /** Added to the subscription's `delaySeconds`. */
  delayMs?: number
  /** The enqueue's span (tracing on): the handler's span becomes its child. */
  parentSpanId?: string
}

/** A claimed message, leased to one handler run. */
export interface QueueMessage {
  id: string
  topic: string
  subscription: string
  data: unknown
  traceId: string
  messageGroupId?: string
  /** 1-based number of this delivery. */
  attempt: number
  enqueuedAt: number
  parentSpanId?: string
}

export interface Failure {
  error: SerializedError
  /** false: `NonRetriableError`, or a message that can never succeed. */
  retryable: boolean
  /** `RetryAfterError`: overrides the backoff. */
  retryAfterMs?: number
}

export interface DeadLetter {
  id: string
  topic: string
  subscription: string
  data: unknown
  traceId: string
  error: SerializedError | null
  reason: string
  attempts: number
  failedAt: number
  enqueuedAt: number
}

export interface SubscriptionStats {
  topic: string
  subscription: string
  /** Visible now, waiting for a handler. */
  ready: number
  /**
   * Waiting for their delay or retry backoff. null: this backend cannot tell from here
   * (RabbitMQ inspected from outside the servers: `motia queue` shows "n/a").
   */
  delayed: number | null
  /** Claimed by a running handler. null: cannot be told from here (as `delayed`). */
  inFlight: number | null
  dead: number
  /**
   * ms since the oldest ready message (waiting for a handler now) was enqueued; 0 when none
   * waits. Absent where the adapter cannot tell cheaply (the sqlite adapter does).
   */
  oldestReadyAgeMs?: number
}

export interface DeadLetterFilter {
  topic?: string
  subscription?: string
  limit?: number
}

/**
 * Storage behind the queue module. Delivery is at-least-once: a message leaves the store only
 * on `ack`; a claimed message whose lease expires comes back. Retry policy (backoff, max
 * retries, dead letters) lives behind this interface, so a BullMQ implementation can map it
 * onto BullMQ's own attempts/backoff.
 */
export interface QueueAdapter {
  readonly kind: string
  setSubscriptions(subs: readonly Subscription[]): void | Promise<void>
  /** Fans the message out to every subscription of its topic; none → `[]` (dropped). */
  enqueue(req: EnqueueRequest): Promise<string[]>
  /** Leases up to `max` visible messages (FIFO subscriptions: one per group at a time, in order). */
  claim(subscription: string, max: number): Promise<QueueMessage[]>
  ack(id: string): Promise<void>
  /** Retry with backoff, or dead-letter when retries are exhausted or the failure is final. */
  nack(id: string, failure: Failure): Promise<'retry' | 'dead'>
  /** Back to ready without counting the attempt (shutdown). */
  release(id: string): Promise<void>
  /** Straight to dead letters (e.g. input fails its schema). */
  deadLetter(id: string, reason: string): Promise<void>
  /** Expired leases become visible again (or dead, past their retries); returns how many. */
  recoverExpired(): Promise<number>
  /** When the next delayed message of the subscription becomes visible, or null. */
  nextReadyAt(subscription: string): Promise<number | null>
  stats(): Promise<SubscriptionStats[]>
  deadLetters(filter?: DeadLetterFilter): Promise<DeadLetter[]>
  /** Dead letters back to the queue with a fresh attempt count; returns how many. */
  retryDeadLetters(ids: readonly string[] | 'all', filter?: DeadLetterFilter): Promise<number>
  dropDeadLetters(ids: readonly string[] | 'all', filter?: DeadLetterFilter): Promise<number>
  /** Readiness probe: a store elsewhere (Redis) answers a ping; none means nothing to check. */
  ready?(): Promise<Readiness>
  /**
   * A claim only reads what this process already holds (RabbitMQ pushes deliveries here): the
   * dispatcher then refills each free slot at once instead of waiting for half of them to free.
   */
  readonly localClaims?: boolean
  /** New work for a subscription, in this process (the dispatcher listens instead of polling). */
  onReady(listener: (subscription: string) => void): () => void
  close(): Promise<void>
}
