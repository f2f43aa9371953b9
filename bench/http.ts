/**
 * HTTP hello: `motia start` (compiled binary) against the bare Elysia hello route, same
 * machine, same load generator (wrk), same run. Rounds alternate between the two servers so
 * drift on a noisy machine hits both; the median round is reported, with each server's CPU time
 * per request (user + system, from /proc), which steals from neighbours move less than req/s.
 *   bun bench/http.ts [--rounds 3] [--seconds 5] [--connections 50] [--no-build]
 */
import { rmSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { binary, fmt, helloProject, median, spawnServer, type WrkResult, wrk } from './support'

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '50' },
    'no-build': { type: 'boolean', default: false },
  },
})
const rounds = Number(values.rounds)
const opts = { seconds: Number(values.seconds), connections: Number(values.connections) }

const bin = await binary()
const dir = helloProject(1)
const motia = await spawnServer([bin, 'start', '--dir', dir, '--port', '0', '--host', '127.0.0.1'])
const elysia = await spawnServer([process.execPath, `${import.meta.dir}/baselines/elysia-hello.ts`])
try {
  // Warm both (JIT) before measuring.
  await wrk(`${motia.url}/hello`, { seconds: 2, connections: opts.connections })
  await wrk(`${elysia.url}/hello`, { seconds: 2, connections: opts.connections })
  const m: WrkResult[] = []
  const e: WrkResult[] = []
  for (let i = 0; i < rounds; i++) {
    m.push(await wrk(`${motia.url}/hello`, { ...opts, pid: motia.proc.pid }))
    e.push(await wrk(`${elysia.url}/hello`, { ...opts, pid: elysia.proc.pid }))
  }
  const mr = median(m.map((r) => r.rps))
  const er = median(e.map((r) => r.rps))
  console.log(`HTTP hello, wrk -t1 -c${opts.connections} -d${opts.seconds}s, median of ${rounds} alternating rounds`)
  console.log(
    `  motia start  ${fmt(mr).padStart(9)} req/s   p50 ${fmt(median(m.map((r) => r.p50ms)), 2)} ms   p99 ${fmt(median(m.map((r) => r.p99ms)), 2)} ms`,
  )
  console.log(
    `  bare Elysia  ${fmt(er).padStart(9)} req/s   p50 ${fmt(median(e.map((r) => r.p50ms)), 2)} ms   p99 ${fmt(median(e.map((r) => r.p99ms)), 2)} ms`,
  )
  console.log(`  ratio motia/elysia: ${fmt(mr / er, 3)}  (goal ≥ 0.8)`)
  // Server CPU per request drifts less than req/s when neighbours steal cycles.
  const mc = median(m.map((r) => r.cpuUs ?? Number.NaN))
  const ec = median(e.map((r) => r.cpuUs ?? Number.NaN))
  console.log(
    `  server CPU per request: motia ${fmt(mc, 2)} µs, Elysia ${fmt(ec, 2)} µs → Elysia/motia ${fmt(ec / mc, 3)}`,
  )
} finally {
  await motia.stop()
  await elysia.stop()
  rmSync(dir, { recursive: true, force: true })
}
