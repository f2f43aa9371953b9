import Redis from 'ioredis'
import { serviceForTests } from './service-for-tests'

/** The Redis the redis adapters' tests use (CI runs one); override with MOTIA_TEST_REDIS_URL. */
export const TEST_REDIS_URL = process.env.MOTIA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

/** Whether a Redis answers PING at `url` within a second. */
export async function redisAnswers(url = TEST_REDIS_URL): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  })
  client.on('error', () => {})
  try {
    await client.connect()
    return (await client.ping()) === 'PONG'
  } catch {
    return false
  } finally {
    client.disconnect()
  }
}

let n = 0
/** A key prefix no other test run uses. */
export function freshPrefix(label: string): string {
  return `motia-test:${label}:${process.pid}:${Date.now().toString(36)}:${n++}`
}

/** Deletes every key under `prefix:` (SCAN, never FLUSHALL: the server is shared). */
export async function dropPrefix(prefix: string, url = TEST_REDIS_URL): Promise<void> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 })
  client.on('error', () => {})
  try {
    let cursor = '0'
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000)
      cursor = next
      if (keys.length > 0) await client.unlink(...keys)
    } while (cursor !== '0')
  } finally {
    client.disconnect()
  }
}

/** Says once why a Redis test file registered nothing to run. */
export function noRedisReason(url = TEST_REDIS_URL): string {
  return `no Redis answers at ${url} (start one, or set MOTIA_TEST_REDIS_URL)`
}

/**
 * Whether `what` (a Redis test file) can run: a Redis answers at TEST_REDIS_URL. Where none does,
 * a local run skips it, saying why; under CI (`CI` set, as .ci/run runs) the file fails instead:
 * CI has a Redis, and a skip there would hide a failure.
 */
export function redisForTests(what: string): Promise<boolean> {
  return serviceForTests(
    what,
    'Redis',
    () => redisAnswers(),
    () => noRedisReason(),
  )
}
