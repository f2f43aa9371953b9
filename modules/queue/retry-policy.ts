import type { QueueConfig } from '../../sdk/types'

/** Longest backoff, whatever the attempt number. */
export const MAX_BACKOFF_MS = 3_600_000

/**
 * Delay before the retry that follows failed attempt `attempt` (1-based):
 * fixed → `backoffDelayMs`; exponential → `backoffDelayMs · 2^(attempt-1)`, capped at one hour.
 */
export function backoffMs(config: Pick<QueueConfig, 'backoffType' | 'backoffDelayMs'>, attempt: number): number {
  if (config.backoffType === 'fixed') return config.backoffDelayMs
  return Math.min(MAX_BACKOFF_MS, config.backoffDelayMs * 2 ** Math.max(0, attempt - 1))
}

/** `maxRetries` counts retries after the first attempt: attempts allowed = maxRetries + 1. */
export function shouldRetry(config: Pick<QueueConfig, 'maxRetries'>, attempt: number, retryable: boolean): boolean {
  return retryable && attempt <= config.maxRetries
}
