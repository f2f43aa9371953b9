/**
 * Tracing cost: the hello HTTP step under `motia start` (compiled binary) with tracing on (the
 * default: a span per request, kept in SQLite) against the same project with
 * `observability.enabled: false`, same wrk settings, alternating rounds in one run.
 *   bun bench/tracing.ts [--rounds 3] [--seconds 5] [--connections 50] [--no-build]
 */
import { appendFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { abOptions, binary, compareServers, fmt, helloProject, median } from './support'

const o = abOptions()
const bin = await binary()
const onDir = helloProject(1)
const offDir = helloProject(1)
appendFileSync(join(offDir, 'config.yaml'), 'observability:\n  enabled: false\n')
const start = (dir: string) => [bin, 'start', '--dir', dir, '--port', '0', '--host', '127.0.0.1']
try {
  const [a, b] = await compareServers(o, '/hello', [
    ['tracing on ', start(onDir)],
    ['tracing off', start(offDir)],
  ])
  const ratio = median(a!.map((r) => r.rps)) / median(b!.map((r) => r.rps))
  console.log(`  ratio on/off: ${fmt(ratio, 3)}  (goal ≥ 0.85)`)
} finally {
  rmSync(onDir, { recursive: true, force: true })
  rmSync(offDir, { recursive: true, force: true })
}
