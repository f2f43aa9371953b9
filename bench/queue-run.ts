/**
 * The embedded queue measured end to end, in-process: `N` messages enqueued in batches of 100,
 * each handler logging `start` with its enqueue→start latency (`lat`), then that latency at a
 * steady 500 messages/s. bench/queue.ts and bench/python.ts share it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { defaultModules } from '../cmd/default-modules'
import type { QueueModuleApi } from '../modules/queue/queue-module'
import { createRuntime } from '../runtime/runtime'
import { newTraceId } from '../runtime/trace-id'

export const now = () => performance.timeOrigin + performance.now()
/** This process's CPU time (every thread, user + system), µs. */
export const cpuMicros = () => {
  const u = process.cpuUsage()
  return u.user + u.system
}
export const pct = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!

/** A temp project: `steps` under steps/, `yaml` as config.yaml. */
export function benchProject(steps: Record<string, string>, yaml: string, prefix = 'motia-bench-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  mkdirSync(join(dir, 'steps'))
  for (const [name, src] of Object.entries(steps)) writeFileSync(join(dir, 'steps', name), src)
  writeFileSync(join(dir, 'config.yaml'), yaml)
  return dir
}

/**
 * Enqueue-to-start latency at a steady 500 messages/s (well under capacity), so the figure is
 * the queue's own latency rather than time spent behind a backlog.
 */
export async function pacedLatency(
  lats: number[],
  send: (t: number) => Promise<unknown>,
): Promise<{ p50: number; p99: number }> {
  const M = 1000
  const from = lats.length
  for (let i = 0; i < M; i++) {
    await send(now())
    await Bun.sleep(2)
  }
  while (lats.length < from + M) await Bun.sleep(5)
  const mine = lats.slice(from)
  return { p50: pct(mine, 0.5), p99: pct(mine, 0.99) }
}

/**
 * Runs the project of `steps` (a `work` topic handler logging `start` with `lat`) in-process on
 * the default (sqlite) adapters, or those `yaml` names: msg/s for `messages`, then the paced latency. `warmup`
 * messages first, not counted (the first ones pay for imports and JIT).
 */
export async function embeddedQueueRun(
  steps: Record<string, string>,
  opts: {
    messages: number
    warmup?: number
    /** More config.yaml (another queue adapter). */
    yaml?: string
    /** Called with the queue before the runtime stops (to clean up a broker). */
    after?: (queue: QueueModuleApi) => Promise<void>
  },
): Promise<{ rate: number; p50: number; p99: number; cpuUs: number; held: number }> {
  const N = opts.messages
  const dir = benchProject(steps, `logging:\n  level: info\n${opts.yaml ?? ''}`, 'motia-qbench-')
  const lats: number[] = []
  let done = 0
  let finish!: () => void
  const finished = new Promise<void>((r) => (finish = r))
  const rt = await createRuntime({
    dir,
    mode: 'start',
    modules: defaultModules({ listen: false }),
    logSinks: [
      (r) => {
        if (r.msg !== 'start') return
        lats.push(Number((r.fields as { lat: number }).lat))
        if (++done === N) finish()
      },
    ],
  })
  // Each message its own trace, as when each is enqueued by a different request.
  const origin = () => ({ step: 'bench', traceId: newTraceId() })
  const queue = rt.services.shared.get('queue') as QueueModuleApi
  if (opts.warmup) {
    // In batches of 100, as the timed run: one at a time, each waits for its broker's confirm.
    for (let i = 0; i < opts.warmup; i += 100) {
      const batch = []
      for (let j = i; j < Math.min(opts.warmup, i + 100); j++)
        batch.push(rt.engine.enqueue({ topic: 'work', data: { t: now() } }, origin()))
      await Promise.all(batch)
    }
    await queue.idle()
    lats.length = 0
    done = 0
  }
  // The jobs the worker pool holds, sampled every 2 ms of the timed window: how many of
  // the `concurrency` slots the dispatcher keeps busy.
  let held = 0
  let samples = 0
  const sampler = setInterval(() => {
    held += queue.pool.inFlight
    samples++
  }, 2)
  const t0 = now()
  const c0 = cpuMicros()
  for (let i = 0; i < N; i += 100) {
    const batch = []
    for (let j = i; j < Math.min(N, i + 100); j++)
      batch.push(rt.engine.enqueue({ topic: 'work', data: { t: now() } }, origin()))
    await Promise.all(batch)
  }
  await finished
  const elapsed = now() - t0
  const cpuUs = (cpuMicros() - c0) / N
  clearInterval(sampler)
  await queue.idle()
  const paced = await pacedLatency(lats, (t) => rt.engine.enqueue({ topic: 'work', data: { t } }, origin()))
  await opts.after?.(queue)
  await rt.stop()
  rmSync(dir, { recursive: true, force: true })
  return { rate: (N / elapsed) * 1000, ...paced, cpuUs, held: held / Math.max(1, samples) }
}
