/**
 * CPU an idle server uses: `motia start` on the hello project against bare Elysia, each answering
 * one request and then left alone; CPU time from /proc over the window, by thread (Linux).
 *   bun bench/idle.ts [--seconds 10] [--no-build]
 * An idle server should use ~0 CPU: what shows here runs by the clock (timers, samplers, the
 * runtime's GC and JIT threads), and under callgrind it is billed to whatever requests there are.
 */
import { rmSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { binary, fmt, helloProject, spawnServer, threadTicks } from './support'

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: { seconds: { type: 'string', default: '10' }, 'no-build': { type: 'boolean', default: false } },
})
const seconds = Number(values.seconds)
const TICK_MS = 1000 / 100 // USER_HZ

async function idle(label: string, cmd: string[]): Promise<void> {
  const server = await spawnServer(cmd)
  try {
    await fetch(`${server.url}/hello`)
    await Bun.sleep(3000) // start-up work settles
    const before = threadTicks(server.proc.pid, true)
    await Bun.sleep(seconds * 1000)
    const after = threadTicks(server.proc.pid, true)
    let total = 0
    const busy: string[] = []
    for (const [k, t] of after) {
      const d = t - (before.get(k) ?? 0)
      total += d
      if (d > 0) busy.push(`${k} ${fmt(d * TICK_MS)} ms`)
    }
    console.log(
      `  ${label.padEnd(12)} ${fmt(total * TICK_MS).padStart(5)} ms CPU in ${seconds} s (${fmt((total * TICK_MS) / (seconds * 10), 2)}% of a core), ${after.size} threads`,
    )
    console.log(`    ${busy.join(', ') || 'no thread ran'}`)
  } finally {
    await server.stop()
  }
}

const bin = await binary()
const dir = helloProject(1)
try {
  console.log(`CPU of an idle server over ${seconds} s, after one request and 3 s to settle`)
  await idle('motia start', [bin, 'start', '--dir', dir, '--port', '0', '--host', '127.0.0.1'])
  await idle('bare Elysia', [process.execPath, `${import.meta.dir}/baselines/elysia-hello.ts`])
} finally {
  rmSync(dir, { recursive: true, force: true })
}
