import { expect, test } from 'bun:test'
import { backoffMs, shouldRetry } from './retry-policy'

test('exponential backoff doubles from backoffDelayMs and is capped at an hour', () => {
  const c = { backoffType: 'exponential' as const, backoffDelayMs: 1000 }
  expect([1, 2, 3, 4].map((a) => backoffMs(c, a))).toEqual([1000, 2000, 4000, 8000])
  expect(backoffMs(c, 40)).toBe(3_600_000)
})

test('fixed backoff is constant', () => {
  expect([1, 5].map((a) => backoffMs({ backoffType: 'fixed', backoffDelayMs: 250 }, a))).toEqual([250, 250])
})

test('maxRetries counts retries after the first attempt', () => {
  const c = { maxRetries: 2 }
  expect([1, 2, 3].map((a) => shouldRetry(c, a, true))).toEqual([true, true, false])
  expect(shouldRetry(c, 1, false)).toBe(false)
  expect(shouldRetry({ maxRetries: 0 }, 1, true)).toBe(false)
})
