/**
 * The RabbitMQ part of bench/queue.ts (`--adapter rabbitmq`): the runtime's queue on RabbitMQ
 * against a bare rabbitmq-client loop on the same broker, same run: publish with confirms
 * (persistent messages, a durable queue, batches of 100 as the runtime's run) → consume with
 * manual acks and the same prefetch.
 */
import { Connection } from 'rabbitmq-client'
import { RabbitQueueAdapter } from '../modules/queue/adapters/rabbitmq'
import { dropRabbit } from '../test/support/rabbitmq'
import { cpuMicros, now, pacedLatency } from './queue-run'

export const RABBITMQ_URL = process.env.MOTIA_BENCH_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672'

export async function bareRabbit(
  n: number,
  prefetch: number,
  /** Messages through the loop before the timed window, not counted (as the runtime's run gets). */
  warmup = 0,
): Promise<{ rate: number; p50: number; p99: number; cpuUs: number }> {
  const conn = new Connection(RABBITMQ_URL)
  const queue = `motia-bench.bare.${process.pid}.${Date.now()}`
  const pub = conn.createPublisher({ confirm: true })
  const ch = await conn.acquire()
  await ch.queueDeclare({ queue, durable: true })
  await ch.basicQos({ prefetchCount: prefetch })
  const lats: number[] = []
  let done = 0
  let target = 0
  let finish = () => {}
  await ch.basicConsume({ queue }, (msg) => {
    lats.push(now() - (msg.body as { t: number }).t)
    ch.basicAck({ deliveryTag: msg.deliveryTag })
    if (++done === target) finish()
  })
  const send = (t: number) => pub.send({ routingKey: queue, durable: true }, { t })
  const burst = async (count: number) => {
    done = 0
    target = count
    const finished = new Promise<void>((r) => (finish = r))
    for (let i = 0; i < count; i += 100) {
      const batch = []
      for (let j = i; j < Math.min(count, i + 100); j++) batch.push(send(now()))
      await Promise.all(batch)
    }
    await finished
  }
  if (warmup > 0) await burst(warmup)
  lats.length = 0
  const t0 = now()
  const c0 = cpuMicros()
  await burst(n)
  const elapsed = now() - t0
  const cpuUs = (cpuMicros() - c0) / n
  const paced = await pacedLatency(lats, send)
  await ch.queueDelete({ queue })
  await ch.close()
  await pub.close()
  await conn.close()
  return { rate: (n / elapsed) * 1000, ...paced, cpuUs }
}

/**
 * The adapter alone, without the runtime's dispatch (worker pool, spans, logs): enqueue (confirmed)
 * → delivery → claim → ack, `concurrency` claimed at a time, acked a microtask later. It tells
 * what of the runtime's CPU per message is the adapter's and what is the dispatch pipeline's.
 */
export async function adapterOnly(n: number, concurrency: number): Promise<{ rate: number; cpuUs: number }> {
  const prefix = `motia-bench.adapter.${process.pid}.${Date.now()}`
  const a = await RabbitQueueAdapter.connect({ url: RABBITMQ_URL, prefix, queueType: 'classic' })
  const config = {
    ...({ type: 'standard', maxRetries: 3, visibilityTimeout: 30, delaySeconds: 0 } as const),
    ...({ concurrency, backoffType: 'fixed', backoffDelayMs: 1000 } as const),
  }
  await a.setSubscriptions([{ id: 'work', topic: 'work', config }])
  let done = 0
  let inFlight = 0
  let finish!: () => void
  const finished = new Promise<void>((r) => (finish = r))
  const pump = async (): Promise<void> => {
    const got = await a.claim('work', concurrency - inFlight)
    inFlight += got.length
    for (const m of got)
      queueMicrotask(async () => {
        await a.ack(m.id)
        inFlight--
        if (++done === n) finish()
        void pump()
      })
  }
  a.onReady(() => void pump())
  const t0 = now()
  const c0 = cpuMicros()
  for (let i = 0; i < n; i += 100) {
    const batch = []
    for (let j = i; j < Math.min(n, i + 100); j++)
      batch.push(a.enqueue({ topic: 'work', data: { t: now() }, traceId: '' }))
    await Promise.all(batch)
  }
  await finished
  const r = { rate: (n / (now() - t0)) * 1000, cpuUs: (cpuMicros() - c0) / n }
  const names = a.declared()
  await a.close()
  await dropRabbit(names, RABBITMQ_URL)
  return r
}

/** The config.yaml lines for the runtime's run, and the clean-up of what it declared. */
export function rabbitRun(workerPriority?: string): {
  yaml: string
  after: (q: { adapter: unknown }) => Promise<void>
} {
  const prefix = `motia-bench.${process.pid}.${Date.now()}`
  const priority = workerPriority ? `  workerPriority: ${workerPriority}\n` : ''
  return {
    yaml: `queue:\n  adapter: rabbitmq\n${priority}rabbitmq:\n  url: ${RABBITMQ_URL}\n  prefix: ${prefix}\n`,
    async after(q) {
      const names = (q.adapter as RabbitQueueAdapter).declared()
      const conn = new Connection(RABBITMQ_URL)
      const ch = await conn.acquire()
      for (const queue of names.queues) await ch.queueDelete({ queue }).catch(() => {})
      for (const exchange of names.exchanges) await ch.exchangeDelete({ exchange }).catch(() => {})
      await ch.close()
      await conn.close()
    },
  }
}
