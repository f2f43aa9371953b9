/**
 * Start-up: `motia start` on a generated 50-step project until its first 200 response, against
 * the bare Elysia hello process started the same way, in the same run (median of N).
 *   bun bench/startup.ts [--runs 7] [--steps 50] [--no-build]
 */
import { rmSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { binary, fmt, helloProject, median } from './support'

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    runs: { type: 'string', default: '7' },
    steps: { type: 'string', default: '50' },
    'no-build': { type: 'boolean', default: false },
  },
})

async function timeToFirst200(cmd: string[], url: string): Promise<number> {
  const t0 = performance.now()
  const proc = Bun.spawn(cmd, { stdout: 'ignore', stderr: 'inherit' })
  try {
    for (;;) {
      try {
        const r = await fetch(url)
        if (r.status === 200) return performance.now() - t0
      } catch {}
      await Bun.sleep(1)
      if (performance.now() - t0 > 10_000) throw new Error(`no 200 from ${url} within 10 s`)
    }
  } finally {
    proc.kill()
    await proc.exited
  }
}

const bin = await binary()
const steps = Number(values.steps)
const dir = helloProject(steps)
const port = 41000 + Math.floor(Math.random() * 1000)
const mt: number[] = []
const et: number[] = []
try {
  for (let i = 0; i < Number(values.runs); i++) {
    mt.push(
      await timeToFirst200(
        [bin, 'start', '--dir', dir, '--port', String(port), '--host', '127.0.0.1'],
        `http://127.0.0.1:${port}/hello-${steps - 1}`,
      ),
    )
    et.push(
      await timeToFirst200(
        [process.execPath, `${import.meta.dir}/baselines/elysia-hello-port.ts`, String(port + 1)],
        `http://127.0.0.1:${port + 1}/hello`,
      ),
    )
  }
  console.log(`Start-up to first 200, median of ${values.runs} runs`)
  console.log(`  motia start (${steps} steps)  ${fmt(median(mt), 1).padStart(7)} ms   (goal < 300 ms)`)
  console.log(`  bare Elysia hello        ${fmt(median(et), 1).padStart(7)} ms`)
  console.log(`  ratio motia/elysia: ${fmt(median(mt) / median(et), 2)}`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
