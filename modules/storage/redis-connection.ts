import type { Redis, RedisOptions } from 'ioredis'
import { embeddedEntry } from '../../runtime/embedded-entries'
import { MotiaError } from '../../runtime/errors'

declare const MOTIA_SPLIT_ENTRIES: boolean | undefined

/**
 * ioredis and BullMQ, loaded on first use. In a compiled binary they are an entrypoint apart
 * (build.ts): the define folds this test, so the bundle keeps no copy behind `import('./...')`.
 */
export function redisLibraries(): Promise<typeof import('./redis-libraries')> {
  return typeof MOTIA_SPLIT_ENTRIES === 'boolean'
    ? import(embeddedEntry('modules/storage/redis-libraries'))
    : import('./redis-libraries')
}

/** What every Redis adapter is given: `redis` in config.yaml. */
export interface RedisTarget {
  url: string
  /** Every key an adapter writes starts with `<prefix>:`. */
  prefix: string
}

const CONNECT_TIMEOUT_MS = 5000

/** The URL without its password, for messages and logs. */
export function redisLabel(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString().replace(/\/$/, '')
  } catch {
    return url
  }
}

/**
 * Options shared by every connection the runtime opens. Commands made while Redis is away fail
 * at once (no offline queue: an HTTP call that needs Redis answers 503 instead of hanging) and
 * the client reconnects in the background (100 ms doubling to 2 s), so work resumes by itself.
 */
export function redisOptions(name: string, extra: RedisOptions = {}): RedisOptions {
  return {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: CONNECT_TIMEOUT_MS,
    connectionName: name,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
    // Calls made in one event-loop turn go out in one write (one syscall, not one each).
    enableAutoPipelining: true,
    ...extra,
  }
}

/**
 * A connected client, or one clear error naming the URL: start-up refuses to run without Redis
 * rather than starting "ready" and failing every call.
 */
export async function connectRedis(url: string, name: string, extra: RedisOptions = {}): Promise<Redis> {
  const client = new (await redisLibraries()).Redis(url, redisOptions(name, extra))
  // Errors while connected are reported through the calls that fail; an 'error' listener keeps
  // ioredis from printing each reconnection attempt.
  client.on('error', () => {})
  try {
    await client.connect()
    return client
  } catch (err) {
    client.disconnect()
    throw redisUnavailable(url, err, 'cannot connect')
  }
}

/** Connection trouble (refused, closed, not writeable, timed out): not a reply from the server. */
export function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false
  if (err.name === 'ReplyError') return false
  return true
}

export function redisUnavailable(url: string, err: unknown, doing = 'lost the connection'): MotiaError {
  const reason = err instanceof Error ? err.message : String(err)
  return new MotiaError('E_REDIS_UNAVAILABLE', `Redis at ${redisLabel(url)}: ${doing}: ${reason}`, { cause: err })
}

/**
 * Runs one Redis call; connection failures become E_REDIS_UNAVAILABLE (503) naming the URL,
 * while errors the server answered with (a script's own error, a wrong type) pass unchanged.
 */
export function guarded<T>(url: string, call: () => Promise<T>): Promise<T> {
  return call().catch((err: unknown) => {
    if (err instanceof MotiaError || !isConnectionError(err)) throw err
    throw redisUnavailable(url, err)
  })
}
