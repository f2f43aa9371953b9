/**
 * Scale-out on Redis: each section measures one redis adapter against the bare client doing
 * the same work on the same Redis, in the same run, and prints the ratio.
 *
 *   queue  the redis queue adapter (BullMQ underneath) driven by the runtime's dispatcher, vs a
 *          bare BullMQ Worker; same trivial handler, same concurrency. Goal ≥ 0.8.
 *   state  the redis state adapter's get / set with 64 calls in flight, vs raw ioredis
 *          GET / SET of the same JSON text (same 1,000 keys, parsed on get) on one connection
 *          with the same 64 in flight and the same auto-pipelining. Goal ≥ 0.8.
 *
 * Sections are independent (`--only queue,state`); add one by adding to SECTIONS.
 *   ./node_modules/.bin/bun bench/scale.ts [--only queue] [--messages 20000] [--concurrency 50] [--ops 50000]
 */
import { parseArgs } from 'node:util'
import { Queue, Worker } from 'bullmq'
import Redis from 'ioredis'
import { BullmqQueueAdapter } from '../modules/queue/adapters/bullmq'
import { Dispatcher } from '../modules/queue/dispatcher'
import type { BackgroundRunner } from '../modules/queue/runner'
import type { SubscriptionDef } from '../modules/queue/subscriptions'
import { RedisStateAdapter } from '../modules/state/adapters/redis'
import type { MotiaConfig } from '../runtime/config/schema'
import { StructuredLogger } from '../runtime/logger'
import { dropPrefix } from '../test/support/redis'

const { values: args } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    only: { type: 'string' },
    messages: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '50' },
    ops: { type: 'string', default: '50000' },
    rounds: { type: 'string', default: '2' },
    redis: { type: 'string', default: 'redis://127.0.0.1:6379' },
  },
})
const URL = args.redis!
const N = Number(args.messages)
const C = Number(args.concurrency)
const OPS = Number(args.ops)
const ROUNDS = Number(args.rounds)
const now = () => performance.now()
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })
const quiet = new StructuredLogger({ enabled: (l) => l === 'error', emit: (r) => console.error(r) })

interface Section {
  name: string
  run(): Promise<string[]>
}

// --- queue ---------------------------------------------------------------------------------

const queueConfig: MotiaConfig['queue']['defaults'] = {
  type: 'standard',
  maxRetries: 3,
  backoffType: 'exponential',
  backoffDelayMs: 1000,
  concurrency: C,
  visibilityTimeout: 30,
  delaySeconds: 0,
}

/** The adapter as the runtime drives it: dispatcher, claims, acks; the handler does nothing. */
async function adapterRate(): Promise<number> {
  const prefix = `motia-bench-scale:${process.pid}:${Date.now()}`
  const adapter = await BullmqQueueAdapter.connect({ url: URL, prefix })
  let done = 0
  let finish!: () => void
  const finished = new Promise<void>((r) => (finish = r))
  const runner: BackgroundRunner = {
    run: async () => {
      if (++done === N) finish()
      return { status: 'ok' }
    },
  }
  const def = {
    id: 'bench#0:work',
    topic: 'work',
    config: queueConfig,
    step: { name: 'bench' },
    def: { type: 'queue', index: 0, topic: 'work' },
  } as unknown as SubscriptionDef
  await adapter.setSubscriptions([{ id: def.id, topic: def.topic, config: def.config }])
  const dispatcher = new Dispatcher(adapter, runner, quiet)
  dispatcher.setSubscriptions([def])
  dispatcher.start()
  const t0 = now()
  for (let i = 0; i < N; i += 100) {
    const batch = []
    for (let j = i; j < Math.min(N, i + 100); j++)
      batch.push(adapter.enqueue({ topic: 'work', data: { j }, traceId: 't' }))
    await Promise.all(batch)
  }
  await finished
  const elapsed = now() - t0
  await dispatcher.stop()
  await adapter.close()
  await dropPrefix(prefix, URL)
  return (N / elapsed) * 1000
}

/** Bare BullMQ: a Worker with the same concurrency and a handler that does nothing. */
async function bullmqRate(): Promise<number> {
  const prefix = `motia-bench-scale:${process.pid}:${Date.now()}:bare`
  const connection = new Redis(URL, { maxRetriesPerRequest: null, enableAutoPipelining: true })
  const queue = new Queue('work', { connection, prefix })
  let done = 0
  let finish!: () => void
  const finished = new Promise<void>((r) => (finish = r))
  const worker = new Worker('work', async () => {}, { connection, concurrency: C, prefix })
  worker.on('completed', () => {
    if (++done === N) finish()
  })
  await worker.waitUntilReady()
  const t0 = now()
  for (let i = 0; i < N; i += 100) {
    const batch = []
    for (let j = i; j < Math.min(N, i + 100); j++)
      batch.push(queue.add('work', { j }, { removeOnComplete: true, attempts: 4 }))
    await Promise.all(batch)
  }
  await finished
  const elapsed = now() - t0
  await worker.close()
  await queue.close()
  connection.disconnect()
  await dropPrefix(prefix, URL)
  return (N / elapsed) * 1000
}

const queueSection: Section = {
  name: 'queue',
  async run() {
    const ours: number[] = []
    const bare: number[] = []
    // Alternating rounds, so drift on a noisy machine hits both sides alike.
    for (let r = 0; r < ROUNDS; r++) {
      bare.push(await bullmqRate())
      ours.push(await adapterRate())
    }
    const o = Math.max(...ours)
    const b = Math.max(...bare)
    return [
      `queue: ${fmt(N)} messages, concurrency ${C}, enqueue + handle (best of ${ROUNDS})`,
      `  redis adapter + dispatcher  ${fmt(o).padStart(8)} msg/s`,
      `  bare BullMQ Worker          ${fmt(b).padStart(8)} msg/s`,
      `  ratio adapter/BullMQ: ${fmt(o / b, 2)}  (goal ≥ 0.8)`,
    ]
  },
}

// --- state ---------------------------------------------------------------------------------

const IN_FLIGHT = 64

async function opsPerSecond(op: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0
  const t0 = now()
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < OPS) await op(next++)
    }),
  )
  return (OPS / (now() - t0)) * 1000
}

const stateSection: Section = {
  name: 'state',
  async run() {
    const prefix = `motia-bench-scale:${process.pid}:${Date.now()}:state`
    const adapter = await RedisStateAdapter.connect({ url: URL, prefix })
    const raw = new Redis(URL, { enableAutoPipelining: true })
    const value = { n: 1, name: 'a short value', tags: ['x', 'y'] }
    const lines = [`state: ${fmt(OPS)} ops per cell, ${IN_FLIGHT} in flight, one connection each`]
    try {
      for (const [label, ours, bare] of [
        [
          'set',
          (i: number) => adapter.set('bench', `k${i % 1000}`, value),
          (i: number) => raw.set(`${prefix}:raw:k${i % 1000}`, JSON.stringify(value)),
        ],
        [
          'get',
          (i: number) => adapter.get('bench', `k${i % 1000}`),
          async (i: number) => JSON.parse((await raw.get(`${prefix}:raw:k${i % 1000}`)) ?? 'null'),
        ],
      ] as const) {
        let o = 0
        let b = 0
        for (let r = 0; r < ROUNDS; r++) {
          b = Math.max(b, await opsPerSecond(bare))
          o = Math.max(o, await opsPerSecond(ours))
        }
        lines.push(
          `  ${label.padEnd(4)} adapter ${fmt(o).padStart(8)} ops/s   raw ioredis ${fmt(b).padStart(8)} ops/s   ratio ${fmt(o / b, 2)}  (goal ≥ 0.8)`,
        )
      }
      const u = await opsPerSecond(() => adapter.update('bench', 'counter', [{ type: 'increment', path: 'n', by: 1 }]))
      const spread = await opsPerSecond((i) =>
        adapter.update('bench', `c${i % 1000}`, [{ type: 'increment', path: 'n', by: 1 }]),
      )
      lines.push(
        `  update (compare-and-set) one hot key ${fmt(u)} ops/s; 1,000 keys ${fmt(spread)} ops/s (no raw equivalent)`,
      )
    } finally {
      await adapter.close()
      raw.disconnect()
      await dropPrefix(prefix, URL)
    }
    return lines
  },
}

const SECTIONS: Section[] = [queueSection, stateSection]

const only = args.only?.split(',')
for (const s of SECTIONS) {
  if (only && !only.includes(s.name)) continue
  for (const line of await s.run()) console.log(line)
}
process.exit(0)
