import { Connection } from 'rabbitmq-client'
import { serviceForTests } from './service-for-tests'

/** The RabbitMQ the rabbitmq adapter's tests use (CI runs one); override with MOTIA_TEST_RABBITMQ_URL. */
export const TEST_RABBITMQ_URL = process.env.MOTIA_TEST_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672'

/** Whether a broker accepts an AMQP connection at `url` within a second. */
export async function rabbitAnswers(url = TEST_RABBITMQ_URL): Promise<boolean> {
  const conn = new Connection({ url, connectionTimeout: 1000, retryLow: 1000, retryHigh: 1000 })
  conn.on('error', () => {})
  try {
    await conn.onConnect(1000)
    return true
  } catch {
    return false
  } finally {
    conn.unsafeDestroy()
  }
}

let n = 0
/** A name prefix no other test run uses. */
export function freshRabbitPrefix(label: string): string {
  return `motia-test.${label}.${process.pid}.${Date.now().toString(36)}.${n++}`
}

/** Deletes queues and exchanges a test declared (AMQP cannot list them: the names are given). */
export async function dropRabbit(
  names: { queues: readonly string[]; exchanges: readonly string[] },
  url = TEST_RABBITMQ_URL,
): Promise<void> {
  const conn = new Connection(url)
  conn.on('error', () => {})
  try {
    const ch = await conn.acquire()
    for (const queue of names.queues) await ch.queueDelete({ queue })
    for (const exchange of names.exchanges) await ch.exchangeDelete({ exchange })
    await ch.close()
  } finally {
    await conn.close()
  }
}

/**
 * Whether `what` (a RabbitMQ test file) can run. Where no broker answers, a local run skips it,
 * saying why; under CI the file fails instead (CI has a broker, and a skip would hide a failure).
 */
export function rabbitForTests(what: string): Promise<boolean> {
  return serviceForTests(
    what,
    'RabbitMQ',
    () => rabbitAnswers(),
    () => `no RabbitMQ answers at ${TEST_RABBITMQ_URL} (start one, or set MOTIA_TEST_RABBITMQ_URL)`,
  )
}

/**
 * Deletes what instances running under `prefix` declared, found through their registry (the
 * subscriptions), plus the delay queues of the given delays (ms) and idempotency-key queues
 * (names: `<prefix>.key.<subscription>.<key>`) the test knows it used.
 */
export async function dropRabbitPrefix(
  prefix: string,
  extra: { delays?: number[]; queues?: string[] } = {},
  url = TEST_RABBITMQ_URL,
): Promise<void> {
  const { RabbitQueueAdapter } = await import('../../modules/queue/adapters/rabbitmq')
  const a = await RabbitQueueAdapter.connect({ url, prefix, queueType: 'classic' }, { consume: false })
  let names: { queues: string[]; exchanges: string[] }
  try {
    await a.setSubscriptions(await a.knownSubscriptions())
    names = a.declared()
  } finally {
    await a.close()
  }
  names.queues.push(...(extra.delays ?? []).map((ms) => `${prefix}.delay.${ms}`), ...(extra.queues ?? []))
  await dropRabbit(names, url)
}
