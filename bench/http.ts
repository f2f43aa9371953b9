/**
 * HTTP hello: `motia start` (compiled binary) against the bare Elysia hello route, same
 * machine, same load generator (wrk), same run. Rounds alternate between the two servers so
 * drift on a noisy machine hits both; the median round is reported, with each server's CPU time
 * per request (user + system, from /proc), which moves less than req/s when neighbours steal cycles.
 *   bun bench/http.ts [--rounds 3] [--seconds 5] [--connections 50] [--no-build]
 */
import { rmSync } from 'node:fs'
import { abOptions, binary, compareServers, fmt, helloProject, median } from './support'

const o = abOptions()
const bin = await binary()
const dir = helloProject(1)
try {
  const [m, e] = await compareServers(o, '/hello', [
    ['motia start', [bin, 'start', '--dir', dir, '--port', '0', '--host', '127.0.0.1']],
    ['bare Elysia', [process.execPath, `${import.meta.dir}/baselines/elysia-hello.ts`]],
  ])
  const mr = median(m!.map((r) => r.rps))
  const er = median(e!.map((r) => r.rps))
  console.log(`  ratio motia/elysia: ${fmt(mr / er, 3)}  (goal ≥ 0.8)`)
  // Server CPU per request drifts less than req/s when neighbours steal cycles.
  const mc = median(m!.map((r) => r.cpuUs ?? Number.NaN))
  const ec = median(e!.map((r) => r.cpuUs ?? Number.NaN))
  console.log(
    `  server CPU per request: motia ${fmt(mc, 2)} µs, Elysia ${fmt(ec, 2)} µs → Elysia/motia ${fmt(ec / mc, 3)}`,
  )
} finally {
  rmSync(dir, { recursive: true, force: true })
}
