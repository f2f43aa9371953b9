/**
 * Thrown by a queue, cron, state or stream handler to fail the message without retrying it:
 * it goes straight to the dead-letter store.
 *
 * @example
 * if (!order.customerId) throw new NonRetriableError('order has no customer')
 */
export class NonRetriableError extends Error {
  override readonly name = 'NonRetriableError'
}

/**
 * Thrown by a queue handler to retry the message after a given delay instead of the configured
 * backoff (e.g. a rate-limited API answered 429 with Retry-After).
 *
 * @example
 * throw new RetryAfterError('rate limited', 30_000)
 */
export class RetryAfterError extends Error {
  override readonly name = 'RetryAfterError'
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message)
  }
}
