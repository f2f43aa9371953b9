/**
 * Tracing cost: the hello HTTP step under `motia start` (compiled binary) with tracing on (the
 * default: a span per request, kept in SQLite) against the same project with
 * `observability.enabled: false`, same wrk settings, alternating rounds in one run.
 *   bun bench/tracing.ts [--rounds 3] [--seconds 5] [--connections 50] [--no-build]
 */
import { appendFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
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
const onDir = helloProject(1)
const offDir = helloProject(1)
appendFileSync(join(offDir, 'config.yaml'), 'observability:\n  enabled: false\n')
const start = (dir: string) => spawnServer([bin, 'start', '--dir', dir, '--port', '0', '--host', '127.0.0.1'])
const on = await start(onDir)
const off = await start(offDir)
try {
  await wrk(`${on.url}/hello`, { seconds: 2, connections: opts.connections })
  await wrk(`${off.url}/hello`, { seconds: 2, connections: opts.connections })
  const a: WrkResult[] = []
  const b: WrkResult[] = []
  for (let i = 0; i < rounds; i++) {
    a.push(await wrk(`${on.url}/hello`, opts))
    b.push(await wrk(`${off.url}/hello`, opts))
  }
  const line = (label: string, rs: WrkResult[]) =>
    `  ${label}  ${fmt(median(rs.map((r) => r.rps))).padStart(9)} req/s   p50 ${fmt(median(rs.map((r) => r.p50ms)), 2)} ms   p99 ${fmt(median(rs.map((r) => r.p99ms)), 2)} ms`
  console.log(`HTTP hello, wrk -t1 -c${opts.connections} -d${opts.seconds}s, median of ${rounds} alternating rounds`)
  console.log(line('tracing on ', a))
  console.log(line('tracing off', b))
  const ratio = median(a.map((r) => r.rps)) / median(b.map((r) => r.rps))
  console.log(`  ratio on/off: ${fmt(ratio, 3)}  (goal ≥ 0.85)`)
  const traces = await fetch(`${on.url}/hello`).then((r) => r.headers.get('x-trace-id'))
  console.log(`  (a traced response carries x-trace-id ${traces})`)
} finally {
  await on.stop()
  await off.stop()
  rmSync(onDir, { recursive: true, force: true })
  rmSync(offDir, { recursive: true, force: true })
}
