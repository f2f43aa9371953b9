/**
 * Queue: end-to-end messages/s (enqueue → handler done) and enqueue-to-start latency of the
 * embedded SQLite queue + worker pool, against BullMQ on the local Redis with the same trivial
 * handler and the same concurrency, in the same run. Then HTTP hello req/s while the queue is
 * saturated with CPU-heavy handlers, as a ratio to the idle figure.
 *   bun bench/queue.ts [--messages 20000] [--concurrency 20] [--no-http]
 * Needs Redis on 127.0.0.1:6379 and wrk (apt-get install -y wrk) for the HTTP part.
 *   bun bench/queue.ts --adapter rabbitmq [--messages 20000] [--concurrency 20] [--rounds 5]
 * The runtime's queue on RabbitMQ (MOTIA_BENCH_RABBITMQ_URL, default amqp://guest:guest@127.0.0.1:5672)
 * against a bare rabbitmq-client publish (confirms) → consume (manual acks, same prefetch) loop, and
 * the adapter alone (no dispatch: what of the runtime's CPU per message is the adapter's).
 *   bun bench/queue.ts --metrics [--messages 20000] [--rounds 5]
 * The embedded queue with metrics on (the default) against observability.metrics.enabled: false,
 * alternating rounds in one run, medians (goal ≥ 0.95).
 */
import { rmSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { Queue, Worker } from 'bullmq'
import { registerBuiltins } from '../cmd/builtins'
import { defaultModules } from '../cmd/default-modules'
import type { QueueModuleApi } from '../modules/queue/queue-module'
import { createRuntime } from '../runtime/runtime'
import { newTraceId } from '../runtime/trace-id'
import { benchProject, embeddedQueueRun, now, pacedLatency } from './queue-run'
import { fmt, median, wrk } from './support'

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    messages: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '20' },
    'no-http': { type: 'boolean', default: false },
    adapter: { type: 'string', default: 'sqlite' },
    metrics: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '5' },
    /**
     * Messages each side of the rabbitmq run handles before its timed window. The runtime's JIT
     * keeps compiling for ~10 s of load (bench/README.md, "On RabbitMQ"): with a short warm-up
     * the timed window measures mostly that.
     */
    warmup: { type: 'string', default: '20000' },
    /** queue.workerPriority for the rabbitmq run (default: the runtime's, idle). */
    'worker-priority': { type: 'string' },
  },
})
const N = Number(values.messages)
const C = Number(values.concurrency)
registerBuiltins()

/** The embedded queue: sqlite and the worker pool, in-process (bench/queue-run.ts). */
const embedded = () =>
  embeddedQueueRun(
    {
      'work.step.ts': `export const config = { name: 'Work', triggers: [{ type: 'queue', topic: 'work', config: { concurrency: ${C} } }] }
export const handler = async (data, { logger }) => { logger.info('start', { lat: performance.timeOrigin + performance.now() - data.t }) }`,
    },
    { messages: N },
  )

async function bullmq(): Promise<{ rate: number; p50: number; p99: number }> {
  const connection = { host: '127.0.0.1', port: 6379 }
  const name = `motia-bench-${process.pid}-${Date.now()}`
  const queue = new Queue(name, { connection, prefix: 'motia-bench' })
  const lats: number[] = []
  let done = 0
  let finish!: () => void
  const finished = new Promise<void>((r) => (finish = r))
  const worker = new Worker(
    name,
    async (job) => {
      lats.push(now() - (job.data as { t: number }).t)
    },
    { connection, concurrency: C, prefix: 'motia-bench', removeOnComplete: { count: 0 } },
  )
  worker.on('completed', () => {
    if (++done === N) finish()
  })
  await worker.waitUntilReady()
  const t0 = now()
  for (let i = 0; i < N; i += 100) {
    const batch = []
    for (let j = i; j < Math.min(N, i + 100); j++)
      batch.push(queue.add('work', { t: now() }, { removeOnComplete: true }))
    await Promise.all(batch)
  }
  await finished
  const elapsed = now() - t0
  const paced = await pacedLatency(lats, (t) => queue.add('work', { t }, { removeOnComplete: true }))
  await worker.close()
  await queue.obliterate({ force: true })
  await queue.close()
  return { rate: (N / elapsed) * 1000, ...paced }
}

/**
 * HTTP hello req/s with the pool idle and with every worker in a CPU-bound handler, in
 * alternating rounds (medians reported): each saturated round enqueues enough 20 ms jobs to
 * keep every worker busy past its end, then waits for the queue to drain.
 */
async function httpUnderLoad(rounds = 3, seconds = 4): Promise<{ idle: number; busy: number }> {
  const dir = benchProject(
    {
      'hello.step.ts': `export const config = { name: 'Hello', triggers: [{ type: 'http', method: 'GET', path: '/hello' }] }
export const handler = async () => ({ status: 200, body: { message: 'Hello' } })`,
      'heavy.step.ts': `export const config = { name: 'Heavy', triggers: [{ type: 'queue', topic: 'heavy', config: { concurrency: 4 } }] }
export const handler = async () => { const end = performance.now() + 20; while (performance.now() < end) {} }`,
    },
    'logging:\n  level: warn\nhttp:\n  port: 0\n  host: 127.0.0.1\nstreams:\n  port: 0\n',
  )
  const rt = await createRuntime({ dir, mode: 'start', modules: defaultModules(), logSinks: [] })
  const queue = rt.services.shared.get('queue') as QueueModuleApi
  const url = `${String(rt.services.shared.get('http.url')).replace(/\/$/, '')}/hello`
  const jobs = Math.ceil((rt.services.config.queue.workers * (seconds + 1) * 1000) / 20)
  await wrk(url, { seconds: 2 })
  const idle: number[] = []
  const busy: number[] = []
  for (let r = 0; r < rounds; r++) {
    idle.push((await wrk(url, { seconds })).rps)
    const origin = { step: 'bench', traceId: newTraceId() }
    for (let i = 0; i < jobs; i++) await rt.engine.enqueue({ topic: 'heavy', data: {} }, origin)
    busy.push((await wrk(url, { seconds })).rps)
    await queue.idle()
  }
  await rt.stop()
  rmSync(dir, { recursive: true, force: true })
  return { idle: median(idle), busy: median(busy) }
}

if (values.metrics) {
  const step = {
    'work.step.ts': `export const config = { name: 'Work', triggers: [{ type: 'queue', topic: 'work', config: { concurrency: ${C} } }] }
export const handler = async (data, { logger }) => { logger.info('start', { lat: performance.timeOrigin + performance.now() - data.t }) }`,
  }
  const on: number[] = []
  const off: number[] = []
  for (let round = 0; round < Number(values.rounds); round++) {
    on.push((await embeddedQueueRun(step, { messages: N, warmup: 500 })).rate)
    off.push(
      (
        await embeddedQueueRun(step, {
          messages: N,
          warmup: 500,
          yaml: 'observability:\n  metrics:\n    enabled: false\n',
        })
      ).rate,
    )
  }
  console.log(
    `Queue end to end, metrics on vs off, ${fmt(N)} messages, concurrency ${C}, median of ${on.length} alternating rounds`,
  )
  console.log(`  metrics on   ${fmt(median(on)).padStart(8)} msg/s   rounds ${on.map((r) => fmt(r)).join(' ')}`)
  console.log(`  metrics off  ${fmt(median(off)).padStart(8)} msg/s   rounds ${off.map((r) => fmt(r)).join(' ')}`)
  console.log(`  ratio on/off: ${fmt(median(on) / median(off), 3)}  (goal ≥ 0.95)`)
  process.exit(0)
}

if (values.adapter === 'rabbitmq') {
  // Alternating rounds, medians: the broker's fsync pace and a shared machine make single runs noisy.
  const { adapterOnly, bareRabbit, rabbitRun } = await import('./queue-rabbitmq')
  const rounds = Number(values.rounds)
  type Run = { rate: number; p50: number; p99: number; cpuUs: number }
  const motia: (Run & { held: number })[] = []
  const bare: Run[] = []
  const alone: { rate: number; cpuUs: number }[] = []
  for (let round = 0; round < rounds; round++) {
    const run = rabbitRun(values['worker-priority'])
    motia.push(
      await embeddedQueueRun(
        {
          'work.step.ts': `export const config = { name: 'Work', triggers: [{ type: 'queue', topic: 'work', config: { concurrency: ${C} } }] }
export const handler = async (data, { logger }) => { logger.info('start', { lat: performance.timeOrigin + performance.now() - data.t }) }`,
        },
        { messages: N, warmup: Number(values.warmup), yaml: run.yaml, after: run.after },
      ),
    )
    // The same prefetch as the runtime's consumer (twice the concurrency, rabbitmq-delivery.ts).
    bare.push(await bareRabbit(N, 2 * C, Number(values.warmup)))
  }
  // After every paired round: run between them, it would warm the adapter's code for the next motia run.
  for (let round = 0; round < rounds; round++) alone.push(await adapterOnly(N, C))
  const mid = (xs: Run[]) => ({
    rate: median(xs.map((x) => x.rate)),
    p50: median(xs.map((x) => x.p50)),
    p99: median(xs.map((x) => x.p99)),
    cpuUs: median(xs.map((x) => x.cpuUs)),
  })
  const r = mid(motia)
  const b = mid(bare)
  console.log(
    `Queue end to end on RabbitMQ, ${fmt(N)} messages after ${fmt(Number(values.warmup))} of warm-up, concurrency ${C} (prefetch ${2 * C}), trivial handler, median of ${rounds} alternating rounds`,
  )
  console.log(
    `  motia (queue.adapter: rabbitmq)   ${fmt(r.rate).padStart(8)} msg/s   enqueue→start (at 500/s) p50 ${fmt(r.p50, 2)} ms   p99 ${fmt(r.p99, 2)} ms`,
  )
  console.log(
    `  bare rabbitmq-client loop         ${fmt(b.rate).padStart(8)} msg/s   publish→deliver (at 500/s) p50 ${fmt(b.p50, 2)} ms   p99 ${fmt(b.p99, 2)} ms`,
  )
  console.log(
    `  the adapter alone (no dispatch)   ${fmt(median(alone.map((a) => a.rate))).padStart(8)} msg/s   CPU ${fmt(median(alone.map((a) => a.cpuUs)))} µs per message`,
  )
  console.log(
    `  jobs held by the worker pool (mean of 2 ms samples, of ${C} slots): ${motia.map((m) => fmt(m.held, 1)).join('  ')}  (median ${fmt(median(motia.map((m) => m.held)), 1)})`,
  )
  console.log(`  rounds (motia/bare msg/s): ${motia.map((m, i) => `${fmt(m.rate)}/${fmt(bare[i]!.rate)}`).join('  ')}`)
  // Each round's ratio pairs two runs made side by side (the machine's load drifts between rounds).
  const ratios = motia.map((m, i) => m.rate / bare[i]!.rate)
  console.log(`  ratio per round: ${ratios.map((x) => fmt(x, 2)).join('  ')}`)
  console.log(
    `  throughput ratio motia/bare (median of per-round ratios): ${fmt(median(ratios), 2)}  (goal ≥ 0.8; p50 goal < 5 ms)`,
  )
  // CPU time of this process (every thread) per message over the timed window: the broker's
  // pace and other processes move msg/s far more than they move this.
  console.log(
    `  CPU per message (this process, every thread): motia ${fmt(r.cpuUs)} µs, bare ${fmt(b.cpuUs)} µs (median; ratio bare/motia ${fmt(median(motia.map((m, i) => bare[i]!.cpuUs / m.cpuUs)), 2)})`,
  )
  process.exit(0)
}

// The HTTP part runs first, in a fresh process state (the throughput phases leave garbage behind).
const h = values['no-http'] ? undefined : await httpUnderLoad()
const e = await embedded()
const b = await bullmq()
console.log(`Queue end to end, ${fmt(N)} messages, concurrency ${C}, trivial handler`)
console.log(
  `  embedded (sqlite + workers)  ${fmt(e.rate).padStart(8)} msg/s   enqueue→start (at 500/s) p50 ${fmt(e.p50, 2)} ms   p99 ${fmt(e.p99, 2)} ms`,
)
console.log(
  `  BullMQ (local Redis)         ${fmt(b.rate).padStart(8)} msg/s   enqueue→start (at 500/s) p50 ${fmt(b.p50, 2)} ms   p99 ${fmt(b.p99, 2)} ms`,
)
console.log(`  throughput ratio embedded/BullMQ: ${fmt(e.rate / b.rate, 2)}  (goal ≥ 5; p50 goal < 0.3 ms, #25)`)
if (h) {
  console.log(`HTTP hello while the queue runs CPU-heavy handlers (20 ms busy loops), median of 3 alternating rounds`)
  console.log(
    `  idle ${fmt(h.idle)} req/s   saturated ${fmt(h.busy)} req/s   ratio ${fmt(h.busy / h.idle, 2)}  (goal ≥ 0.85, #25)`,
  )
}
process.exit(0)
