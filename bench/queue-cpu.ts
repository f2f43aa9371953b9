/**
 * CPU time per message of the embedded queue (sqlite + worker pool, trivial handler, the
 * project of bench/queue.ts), this tree against another commit, alternating fresh processes.
 * On a shared machine msg/s moves 2-3x with the neighbours' load (the step workers run at
 * SCHED_IDLE, so any busy process starves them); CPU per message moves far less, and the
 * engine thread's (CLOCK_THREAD_CPUTIME_ID) is the figure that bounds throughput.
 *   bun bench/queue-cpu.ts [--against <rev>] [--rounds 5] [--messages 20000] [--concurrency 20] [--adapter rabbitmq]
 * `--adapter rabbitmq`: the same project on RabbitMQ (bench/queue-rabbitmq.ts's config and clean-up).
 * `--against` (default HEAD) is extracted with `git archive` into a temp dir that shares this
 * tree's node_modules. Each round runs both trees once; medians are printed.
 */

import { dlopen, FFIType, ptr } from 'bun:ffi'
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { rabbitRun } from './queue-rabbitmq'
import { benchProject, cpuMicros, now } from './queue-run'
import { fmt, median, ROOT, threadTicks } from './support'

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    against: { type: 'string', default: 'HEAD' },
    rounds: { type: 'string', default: '5' },
    messages: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '20' },
    adapter: { type: 'string', default: 'sqlite' },
    child: { type: 'string' },
  },
})
const N = Number(values.messages)
const C = Number(values.concurrency)

interface Run {
  rate: number
  /** µs of CPU per message: this process (every thread), the engine thread, by thread name. */
  cpuUs: number
  engineUs: number
  threads: Record<string, number>
}

/** This thread's CPU time, µs (process.cpuUsage and /proc move in ticks of 4-10 ms). */
const threadMicros = (() => {
  const ts = new BigInt64Array(2)
  const at = ptr(ts)
  const libc = dlopen('libc.so.6', { clock_gettime: { args: [FFIType.i32, FFIType.ptr], returns: FFIType.i32 } })
  return () => {
    libc.symbols.clock_gettime(3 /* CLOCK_THREAD_CPUTIME_ID */, at)
    return Number(ts[0]) * 1e6 + Number(ts[1]) / 1e3
  }
})()

/** CPU µs of each thread name (`Worker` sums the step workers), from /proc (10 ms ticks). */
function threadTimes(): Map<string, number> {
  return new Map([...threadTicks('self')].map(([name, ticks]) => [name, ticks * 10_000]))
}

/** One measurement in this process, on the runtime of the tree at `root`. */
async function child(root: string): Promise<Run> {
  const from = (a: string, b: string) => import(join(root, existsSync(join(root, `${a}.ts`)) ? a : b))
  const { defaultModules } = await from('cmd/default-modules', 'modules/default-modules')
  const builtins = await from('cmd/builtins', 'runtime/builtin-modules')
  ;(builtins.registerBuiltins ?? builtins.registerBuiltinModules)()
  const { createRuntime } = await import(join(root, 'runtime/runtime'))
  const { newTraceId } = await import(join(root, 'runtime/trace-id'))
  const rabbit = values.adapter === 'rabbitmq' ? rabbitRun() : undefined
  const dir = benchProject(
    {
      'work.step.ts': `export const config = { name: 'Work', triggers: [{ type: 'queue', topic: 'work', config: { concurrency: ${C} } }] }
export const handler = async (data, { logger }) => { logger.info('start', { lat: performance.timeOrigin + performance.now() - data.t }) }`,
    },
    `logging:\n  level: info\n${rabbit?.yaml ?? ''}`,
    'motia-qcpu-',
  )
  let done = 0
  let target = 0
  let finish = () => {}
  const rt = await createRuntime({
    dir,
    mode: 'start',
    modules: defaultModules({ listen: false }),
    logSinks: [(r: { msg: string }) => r.msg === 'start' && ++done === target && finish()],
  })
  const burst = async (n: number) => {
    done = 0
    target = n
    const finished = new Promise<void>((r) => (finish = r))
    for (let i = 0; i < n; i += 100) {
      const batch = []
      for (let j = i; j < Math.min(n, i + 100); j++)
        batch.push(rt.engine.enqueue({ topic: 'work', data: { t: now() } }, { step: 'bench', traceId: newTraceId() }))
      await Promise.all(batch)
    }
    await finished
  }
  await burst(2000) // imports and the first JIT tiers
  const threads0 = threadTimes()
  const [t0, c0, e0] = [now(), cpuMicros(), threadMicros()]
  await burst(N)
  const [t1, c1, e1] = [now(), cpuMicros(), threadMicros()]
  const threads: Record<string, number> = {}
  for (const [name, us] of threadTimes()) threads[name] = (us - (threads0.get(name) ?? 0)) / N
  await rabbit?.after(rt.services.shared.get('queue'))
  await rt.stop()
  rmSync(dir, { recursive: true, force: true })
  return { rate: (N / (t1 - t0)) * 1000, cpuUs: (c1 - c0) / N, engineUs: (e1 - e0) / N, threads }
}

if (values.child) {
  console.log(JSON.stringify(await child(values.child)))
  process.exit(0)
}

const old = mkdtempSync(join(tmpdir(), 'motia-qcpu-src-'))
const archive = Bun.spawnSync(['git', 'archive', values.against!], { cwd: ROOT })
if (archive.exitCode !== 0) throw new Error(`git archive ${values.against}: ${archive.stderr.toString()}`)
Bun.spawnSync(['tar', '-x', '-C', old], { stdin: archive.stdout })
symlinkSync(join(ROOT, 'node_modules'), join(old, 'node_modules'))
const measure = (root: string): Run => {
  const p = Bun.spawnSync([
    process.execPath,
    import.meta.path,
    '--child',
    root,
    '--messages',
    `${N}`,
    '--concurrency',
    `${C}`,
    '--adapter',
    values.adapter!,
  ])
  if (p.exitCode !== 0) throw new Error(p.stderr.toString())
  return JSON.parse(p.stdout.toString().trim().split('\n').pop()!)
}
const runs: Record<'this' | 'against', Run[]> = { this: [], against: [] }
try {
  for (let r = 0; r < Number(values.rounds); r++) {
    // Alternating which goes first: the machine's load drifts within a round too.
    for (const which of r % 2 ? (['against', 'this'] as const) : (['this', 'against'] as const))
      runs[which].push(measure(which === 'this' ? ROOT : old))
  }
} finally {
  rmSync(old, { recursive: true, force: true })
}
console.log(
  `${values.adapter === 'rabbitmq' ? 'Queue on RabbitMQ' : 'Embedded queue'}, ${fmt(N)} messages, concurrency ${C}, medians of ${values.rounds} alternating rounds`,
)
console.log('                   msg/s   CPU µs/msg (all threads)   engine thread µs/msg   by thread (µs/msg)')
for (const [label, xs] of Object.entries(runs)) {
  const names = [...new Set(xs.flatMap((x) => Object.keys(x.threads)))]
  const by = names
    .map((n) => [n, median(xs.map((x) => x.threads[n] ?? 0))] as const)
    .filter(([, us]) => us >= 0.5)
    .map(([n, us]) => `${n} ${fmt(us, 1)}`)
  console.log(
    `  ${(label === 'this' ? 'this tree' : values.against!).padEnd(14)} ${fmt(median(xs.map((x) => x.rate))).padStart(7)}   ${fmt(median(xs.map((x) => x.cpuUs)), 1).padStart(24)}   ${fmt(median(xs.map((x) => x.engineUs)), 1).padStart(20)}   ${by.join(', ')}`,
  )
}
const ratio = (k: 'cpuUs' | 'engineUs') => median(runs.this.map((x, i) => x[k] / runs.against[i]![k]))
console.log(
  `  this/${values.against} (median of per-round ratios): CPU ${fmt(ratio('cpuUs'), 3)}, engine thread ${fmt(ratio('engineUs'), 3)}`,
)
process.exit(0)
