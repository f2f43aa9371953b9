/**
 * What the hello route's requests leave to the garbage collector, in process (no socket): sampling
 * 0.1 (or MOTIA_BENCH_SAMPLING_RATIO) against tracing off, each side in a fresh process with JSC's
 * GC log (BUN_JSC_logGC=1), alternating. Calls come in "seconds" of `--rate` calls, each closed
 * by the trace store's write (as its 1 s window at that request rate), so the kept traces are
 * those a server at that rate keeps. Prints per run, on the engine's heap: young (eden) and full
 * collections, MB the collector marked (objects a request left alive past a young collection
 * are marked, and then live on until a full one), the collections' wall time, and CPU ns a call
 * (all threads; noisy on a shared VM: the collection counts and MB are the figures to compare).
 *   bun bench/route-gc.ts [--rounds 3] [--seconds 20] [--rate 80000]
 * Runs from source, not dist/motia.
 */
import { readFileSync, rmSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { routeOf } from './hello-route'
import { fmt, type GcSummary, gcSummary, median, samplingProjects } from './support'

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '20' },
    rate: { type: 'string', default: '80000' },
    child: { type: 'string' },
  },
})
const seconds = Number(values.seconds)
const rate = Number(values.rate)

interface Run extends GcSummary {
  nsPerCall: number
}

if (values.child === undefined) {
  const { sampled, off, remove } = samplingProjects()
  const runs = { sampled: [] as Run[], off: [] as Run[] }
  try {
    for (let round = 0; round < Number(values.rounds); round++) {
      const sides = [['sampled', sampled] as const, ['off', off] as const]
      for (const [side, dir] of round % 2 ? sides.reverse() : sides) {
        const r = await measure(dir)
        runs[side].push(r)
        console.log(
          `  ${side.padEnd(8)} ${fmt(r.nsPerCall).padStart(6)} ns a call   collections: ${r.eden} young, ${r.full} full   marked ${fmt(r.markedMb, 1)} MB   GC ${fmt(r.ms)} ms`,
        )
      }
    }
  } finally {
    remove()
  }
  const m = (side: 'sampled' | 'off', f: (r: Run) => number) => fmt(median(runs[side].map(f)), 1)
  console.log(
    `Medians over ${seconds} windows of ${fmt(rate)} calls (sampling ${process.env.MOTIA_BENCH_SAMPLING_RATIO ?? 0.1} / tracing off)`,
  )
  for (const [label, f] of [
    ['CPU ns a call', (r: Run) => r.nsPerCall],
    ['full collections', (r: Run) => r.full],
    ['MB marked', (r: Run) => r.markedMb],
    ['GC ms', (r: Run) => r.ms],
  ] as const)
    console.log(`  ${label.padEnd(17)} ${m('sampled', f).padStart(8)}  ${m('off', f).padStart(8)}`)
} else {
  const route = await routeOf(values.child)
  const request = new Request('http://127.0.0.1/hello')
  const second = () => {
    for (let i = 0; i < rate; i++) route.call(request)
    route.flush()
  }
  // Warm-up: the JIT's tiers settle and the heap reaches its working size.
  for (let i = 0; i < 5; i++) second()
  await Bun.sleep(200)
  console.error('route-gc: start')
  const t = process.cpuUsage()
  for (let i = 0; i < seconds; i++) second()
  const u = process.cpuUsage(t)
  console.error('route-gc: end')
  console.log(((u.user + u.system) * 1000) / (seconds * rate))
  await route.rt.stop()
}

/** One fresh process on `dir`'s route, its GC log read between the markers. */
async function measure(dir: string): Promise<Run> {
  const log = `/tmp/motia-route-gc-${process.pid}.log`
  try {
    const child = Bun.spawn(
      [process.execPath, import.meta.path, '--seconds', String(seconds), '--rate', String(rate), '--child', dir],
      { stdout: 'pipe', stderr: Bun.file(log), env: { ...process.env, BUN_JSC_logGC: '1' } },
    )
    const out = await new Response(child.stdout).text()
    if ((await child.exited) !== 0) throw new Error('the measured child failed')
    const text = readFileSync(log, 'utf8')
    const window = text.slice(text.indexOf('route-gc: start'), text.indexOf('route-gc: end'))
    return { nsPerCall: Number(out.trim()), ...gcSummary(window) }
  } finally {
    rmSync(log, { force: true })
  }
}
