/**
 * HTTP hello: `motia start` (compiled binary) against the bare Elysia hello route, same
 * machine, same load generator (wrk), same run. Rounds alternate between the two servers so
 * drift on a noisy machine hits both; the median round is reported, with each server's CPU time
 * per request (user + system, from /proc), which moves less than req/s when neighbours steal cycles.
 * A third server is the same project with `observability.metrics.enabled: false`: the ratio
 * metrics on/off is the cost of the request metrics (goal ≥ 0.95).
 *   bun bench/http.ts [--rounds 3] [--seconds 5] [--connections 50] [--no-build]
 */
import { appendFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { abOptions, binary, compareServers, fmt, helloProject, median } from './support'

const o = abOptions()
const bin = await binary()
const dir = helloProject(1)
const offDir = helloProject(1)
appendFileSync(join(offDir, 'config.yaml'), 'observability:\n  metrics:\n    enabled: false\n')
try {
  const [m, e, off] = await compareServers(o, '/hello', [
    ['motia start', [bin, 'start', '--dir', dir, '--port', '0', '--host', '127.0.0.1']],
    ['bare Elysia', [process.execPath, `${import.meta.dir}/baselines/elysia-hello.ts`]],
    ['motia, metrics off', [bin, 'start', '--dir', offDir, '--port', '0', '--host', '127.0.0.1']],
  ])
  const mr = median(m!.map((r) => r.rps))
  const er = median(e!.map((r) => r.rps))
  console.log(`  ratio motia/elysia: ${fmt(mr / er, 3)}  (goal ≥ 0.8)`)
  const offr = median(off!.map((r) => r.rps))
  const offc = median(off!.map((r) => r.cpuUs ?? Number.NaN))
  const mc0 = median(m!.map((r) => r.cpuUs ?? Number.NaN))
  console.log(
    `  ratio metrics on/off: ${fmt(mr / offr, 3)}  (goal ≥ 0.95); CPU per request on ${fmt(mc0, 2)} µs, off ${fmt(offc, 2)} µs`,
  )
  // Server CPU per request drifts less than req/s when neighbours steal cycles.
  const mc = median(m!.map((r) => r.cpuUs ?? Number.NaN))
  const ec = median(e!.map((r) => r.cpuUs ?? Number.NaN))
  console.log(
    `  server CPU per request: motia ${fmt(mc, 2)} µs, Elysia ${fmt(ec, 2)} µs → Elysia/motia ${fmt(ec / mc, 3)}`,
  )
} finally {
  rmSync(dir, { recursive: true, force: true })
  rmSync(offDir, { recursive: true, force: true })
}
