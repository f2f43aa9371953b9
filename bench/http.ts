/**
 * HTTP hello: `motia start` (compiled binary) against the bare Elysia hello route, same
 * machine, same load generator (wrk), same run. Rounds alternate between the two servers so
 * drift on a noisy machine hits both; the median round is reported, with each server's CPU time
 * per request (user + system, from /proc), which moves less than req/s when neighbours steal cycles.
 * A third server is the same project with `observability.metrics.enabled: false`: the ratio
 * metrics on/off is the cost of the request metrics (goal ≥ 0.95).
 * Then trace sampling: the same hello project with `observability.sampling.ratio: 0.1` against
 * `observability.enabled: false`, alternating too (goal ≥ 0.97: a request sampling drops costs
 * next to nothing; `MOTIA_BENCH_SAMPLING_RATIO=0` measures those alone).
 * `--only floor`: bare Bun.serve doing only what every motia request needs of Bun (one request
 * header read, one response header; baselines/bun-floor.ts) against bare Elysia and motia: how
 * much of Elysia's req/s any server with motia's features can reach on this machine.
 *   bun bench/http.ts [--rounds 3] [--seconds 5] [--connections 50] [--no-build] [--only elysia|sampling|floor]
 */
import { appendFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import {
  abOptions,
  binary,
  compareServers,
  fmt,
  helloProject,
  median,
  samplingProjects,
  type WrkResult,
} from './support'

const o = abOptions()
const { values } = parseArgs({ args: Bun.argv.slice(2), options: { only: { type: 'string' } }, strict: false })
const only = values.only as string | undefined
const bin = await binary()
const start = (dir: string) => [bin, 'start', '--dir', dir, '--port', '0', '--host', '127.0.0.1']

/** Median req/s ratio and server CPU µs per request of two sides. */
function report(label: string, goal: string, a: WrkResult[], b: WrkResult[]): void {
  const ratio = median(a.map((r) => r.rps)) / median(b.map((r) => r.rps))
  // Each round pairs fresh processes: the median of the rounds' own ratios pairs like with like.
  const own = median(a.map((r, i) => r.rps / b[i]!.rps))
  console.log(`  ratio ${label}: ${fmt(ratio, 3)} (median of the rounds' own: ${fmt(own, 3)})  (goal ${goal})`)
  const rounds = a.map((r, i) => fmt(r.rps / b[i]!.rps, 2))
  console.log(`  the rounds' own: ${rounds.join(' ')}`)
  // Server CPU per request drifts less than req/s when neighbours steal cycles.
  const ac = median(a.map((r) => r.cpuUs ?? Number.NaN))
  const bc = median(b.map((r) => r.cpuUs ?? Number.NaN))
  console.log(`  server CPU per request: ${fmt(ac, 2)} µs vs ${fmt(bc, 2)} µs → ${fmt(bc / ac, 3)}`)
}

if (only === undefined || only === 'elysia') {
  const dir = helloProject(1)
  const offDir = helloProject(1)
  appendFileSync(join(offDir, 'config.yaml'), 'observability:\n  metrics:\n    enabled: false\n')
  try {
    const [m, e, off] = await compareServers(o, '/hello', [
      ['motia start', start(dir)],
      ['bare Elysia', [process.execPath, `${import.meta.dir}/baselines/elysia-hello.ts`]],
      ['motia, metrics off', start(offDir)],
    ])
    report('motia/elysia', '≥ 0.92 (#25)', m!, e!)
    report('metrics on/off', '≥ 0.95', m!, off!)
  } finally {
    rmSync(dir, { recursive: true, force: true })
    rmSync(offDir, { recursive: true, force: true })
  }
}

if (only === undefined || only === 'sampling') {
  const { sampled, off, remove } = samplingProjects()
  try {
    const [s, f] = await compareServers(o, '/hello', [
      ['sampling 0.1', start(sampled)],
      ['tracing off ', start(off)],
    ])
    report('sampling 0.1/tracing off', '≥ 0.97', s!, f!)
  } finally {
    remove()
  }
}

if (only === 'floor') {
  const dir = helloProject(1)
  try {
    const [floor, e, m] = await compareServers(o, '/hello', [
      [
        'Bun.serve floor',
        ['env', 'MOTIA_BENCH_FLOOR=both', process.execPath, `${import.meta.dir}/baselines/bun-floor.ts`],
      ],
      ['bare Elysia    ', [process.execPath, `${import.meta.dir}/baselines/elysia-hello.ts`]],
      ['motia start    ', start(dir)],
    ])
    report('floor/elysia', '(the ceiling of motia/elysia)', floor!, e!)
    report('motia/floor', '', m!, floor!)
    report('motia/elysia', '≥ 0.92 (#25)', m!, e!)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
