/**
 * Reload: time from saving a step to the first response served by its new version under
 * `motia dev`, on a generated 50-step project (median of N saves). Baseline, same run: what a
 * restart-based reload costs (Motia 1.x restarts the process): kill `motia dev`, start it, first 200.
 *   bun bench/reload.ts [--saves 15] [--steps 50] [--no-build]
 */
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { binary, fmt, helloProject, median, spawnServer } from './support'

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    saves: { type: 'string', default: '15' },
    steps: { type: 'string', default: '50' },
    'no-build': { type: 'boolean', default: false },
  },
})
const bin = await binary()
const dir = helloProject(Number(values.steps))
const file = join(dir, 'steps', 'hello-0.step.ts')
const save = (v: number) =>
  writeFileSync(
    file,
    `export const config = { name: 'Hello0', triggers: [{ type: 'http', method: 'GET', path: '/hello' }] }\nexport const handler = async () => ({ status: 200, body: { v: ${v} } })\n`,
  )

const server = await spawnServer([bin, 'dev', '--dir', dir, '--port', '0', '--host', '127.0.0.1'])
const times: number[] = []
try {
  await Bun.sleep(300) // let the watcher settle
  for (let i = 1; i <= Number(values.saves); i++) {
    const t0 = performance.now()
    save(i)
    for (;;) {
      const body = (await (await fetch(`${server.url}/hello`)).json()) as { v?: number }
      if (body.v === i) break
      if (performance.now() - t0 > 5000) throw new Error('reload did not happen within 5 s')
    }
    times.push(performance.now() - t0)
    await Bun.sleep(50)
  }
} finally {
  await server.stop()
}

const restarts: number[] = []
for (let i = 0; i < 5; i++) {
  const t0 = performance.now()
  const s = await spawnServer([bin, 'dev', '--dir', dir, '--port', '0', '--host', '127.0.0.1'])
  for (;;) {
    try {
      if ((await fetch(`${s.url}/hello`)).status === 200) break
    } catch {}
  }
  restarts.push(performance.now() - t0)
  await s.stop()
}
rmSync(dir, { recursive: true, force: true })
const sorted = [...times].sort((a, b) => a - b)
console.log(
  `Reload on a ${values.steps}-step project: save → first response from the new version (${times.length} saves)`,
)
console.log(
  `  motia dev in-place reload  p50 ${fmt(median(times), 1)} ms   max ${fmt(sorted[sorted.length - 1]!, 1)} ms   (goal p50 < 10 ms)`,
)
console.log(`  process restart (baseline) p50 ${fmt(median(restarts), 1)} ms`)
console.log(`  ratio restart/in-place: ${fmt(median(restarts) / median(times), 1)}× faster`)
