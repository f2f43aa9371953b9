/**
 * Instructions per call of the hello route's handler, in process (no socket, no kernel, no
 * server loop): sampling 0.1 (or MOTIA_BENCH_SAMPLING_RATIO) against tracing off, counted by
 * callgrind on the engine thread. Every call is answered in the same tick, so the window holds
 * the requests' own work (their garbage collections included) and little else: the figure a
 * change to the per-request tracing path moves, the same run after run. At ratio 0.1 a tenth
 * of the calls are kept traces (span, attributes, their write); MOTIA_BENCH_SAMPLING_RATIO=0
 * leaves what every request pays. Under valgrind a clock read is a system call, which user-space
 * counts leave out: CPU time shows what one costs (~0.1 µs here), this does not.
 *   bun bench/route-instructions.ts [--calls 10000] [--cpu: CPU time instead, no valgrind]
 * Needs valgrind. Runs itself under callgrind (from source, not dist/motia).
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { parseArgs } from 'node:util'
import { type Route, routeOf } from './hello-route'
import { callgrind as callgrindArgs, fmt, median, samplingProjects } from './support'

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: { calls: { type: 'string', default: '10000' }, child: { type: 'string' }, cpu: { type: 'boolean' } },
})
const calls = Number(values.calls)
/** Windows in order: E empty, S sampling, F tracing off (alternating, so neither always goes first). */
const PLAN = ['E', 'S', 'F', 'F', 'S', 'S', 'F', 'F', 'S', 'S', 'F', 'E'] as const

if (values.cpu) {
  // No valgrind: CPU time per call (clock reads included), 10 alternating windows of 20× the calls each.
  const { sampled, off, remove } = samplingProjects()
  try {
    const s = await routeOf(sampled)
    const f = await routeOf(off)
    const request = new Request('http://127.0.0.1/hello')
    const n = calls * 20
    const time = (route: Route) => {
      const t = process.cpuUsage()
      for (let i = 0; i < n; i++) route.call(request)
      route.flush()
      const u = process.cpuUsage(t)
      return ((u.user + u.system) * 1000) / n
    }
    for (let i = 0; i < 3; i++) {
      time(s)
      time(f)
    }
    const ns = { s: [] as number[], f: [] as number[] }
    for (let i = 0; i < 10; i++) {
      ns.s.push(time(s))
      ns.f.push(time(f))
    }
    const [ms, mf] = [median(ns.s), median(ns.f)]
    console.log(
      `CPU ns per call, median of 10 windows: sampling ${process.env.MOTIA_BENCH_SAMPLING_RATIO ?? 0.1} ${fmt(ms)}, tracing off ${fmt(mf)}, difference ${fmt(ms - mf)}, ratio ${fmt(mf / ms, 3)}`,
    )
    await s.rt.stop()
    await f.rt.stop()
  } finally {
    remove()
  }
} else if (values.child === undefined) {
  // The parent: runs this file under callgrind, collection off until the child turns it on.
  const out = join(tmpdir(), `motia-route-cg-${process.pid}`)
  const { sampled, off, remove } = samplingProjects()
  try {
    const child = Bun.spawn(
      [
        ...callgrindArgs(out),
        process.execPath,
        import.meta.path,
        '--calls',
        String(calls),
        '--child',
        JSON.stringify({ sampled, off }),
      ],
      { stdout: 'inherit', stderr: 'inherit' },
    )
    if ((await child.exited) !== 0) throw new Error('the measured child failed')
    const part = (n: number) => engineThread(out, child.pid, n)
    // Window i is dump 2i + 2 (dump 2i + 1 holds the collection before it, left out).
    const counts = { E: [] as number[], S: [] as number[], F: [] as number[] }
    for (const [i, w] of PLAN.entries()) counts[w].push(part(2 * i + 2))
    // An empty window: what waiting for a dump costs, taken off each window.
    const empty = median(counts.E)
    const perCall = (xs: number[]) => xs.map((n) => (n - empty) / calls)
    const s = perCall(counts.S)
    const f = perCall(counts.F)
    const least = (xs: number[]) => Math.min(...xs)
    console.log(`Instructions per call of the hello route handler, engine thread, ${calls} calls a window (callgrind)`)
    console.log('                 median    least   windows')
    const row = (label: string, xs: number[]) =>
      console.log(
        `  ${label.padEnd(13)} ${fmt(median(xs)).padStart(7)} ${fmt(least(xs)).padStart(8)}   ${xs.map((n) => fmt(n)).join(' ')}`,
      )
    row(`sampling ${process.env.MOTIA_BENCH_SAMPLING_RATIO ?? 0.1}`, s)
    row('tracing off', f)
    console.log(
      `  difference    ${fmt(median(s) - median(f)).padStart(7)} ${fmt(least(s) - least(f)).padStart(8)}   ratio off/sampled (medians) ${fmt(median(f) / median(s), 3)}`,
    )
  } finally {
    remove()
    const prefix = basename(out)
    for (const f of readdirSync(tmpdir()).filter((n) => n.startsWith(prefix))) rmSync(join(tmpdir(), f))
  }
} else {
  const dirs = JSON.parse(values.child) as { sampled: string; off: string }
  const sampled = await routeOf(dirs.sampled)
  const off = await routeOf(dirs.off)
  const request = new Request('http://127.0.0.1/hello')
  const run = (route: Route, n: number) => {
    for (let i = 0; i < n; i++) route.call(request)
    // The traces kept are written in the window (else their write, due a second later, lands
    // in whichever window is open then).
    route.flush()
  }
  // Warm-up: the JIT's tiers settle, then the timers of start-up have fired.
  for (let round = 0; round < 6; round++) {
    run(sampled, calls)
    run(off, calls)
  }
  await Bun.sleep(1500)
  // Collection stays on from here (turning it off and on again upsets callgrind's totals):
  // each dump holds what ran since the one before. A full collection before each window, so
  // none pays for the garbage of the one before.
  await callgrind('-i', 'on')
  for (const w of PLAN) {
    Bun.gc(true)
    await callgrind('-d')
    if (w !== 'E') run(w === 'S' ? sampled : off, calls)
    await callgrind('-d')
  }
  await sampled.rt.stop()
  await off.rt.stop()
}

async function callgrind(...args: string[]): Promise<void> {
  await Bun.spawn(['callgrind_control', ...args, String(process.pid)], { stdout: 'ignore', stderr: 'ignore' }).exited
}

/** Instructions of the engine thread (thread 1) in dump `part`. */
function engineThread(out: string, pid: number, part: number): number {
  const file = join(tmpdir(), `${basename(out)}.${pid}.${part}-01`)
  return Number(readFileSync(file, 'utf8').match(/^(?:summary|totals): (\d+)/m)?.[1] ?? 0)
}
