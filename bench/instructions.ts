/**
 * Instructions per request on the hello route, counted by valgrind's callgrind: the same
 * figure run after run, whatever else the machine is doing, so a change of a few hundred
 * instructions on the hot path shows (req/s on these machines moves ±10% between runs).
 * Counts every thread of the server, user space only (not the kernel's share of each request).
 *   bun bench/instructions.ts [--seconds 10] [--no-build]
 * Needs valgrind (apt-get install -y valgrind) and wrk. Under valgrind a server runs ~50× slower,
 * so the project keeps few traces (`observability.maxTraces: 10`): most requests then pay what
 * they pay at high load, where only the first traces of each second are written.
 */
import { appendFileSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { binary, fmt, helloProject, spawnServer } from './support'

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    seconds: { type: 'string', default: '10' },
    'no-build': { type: 'boolean', default: false },
    only: { type: 'string' },
  },
})
const seconds = Number(values.seconds)

/** Instructions per request of the server `cmd` starts, over `seconds` of wrk after a warm-up. */
async function count(label: string, cmd: string[]): Promise<number> {
  const out = join(tmpdir(), `motia-callgrind-${process.pid}-${label}`)
  const server = await spawnServer([
    'valgrind',
    '-q',
    '--tool=callgrind',
    '--instr-atstart=no',
    `--callgrind-out-file=${out}.%p`,
    ...cmd,
  ])
  try {
    await load(`${server.url}/hello`, 8)
    await run(['callgrind_control', '-i', 'on', String(server.proc.pid)])
    const requests = await load(`${server.url}/hello`, seconds)
    await run(['callgrind_control', '-d', String(server.proc.pid)])
    const dir = tmpdir()
    let total = 0
    for (const f of readdirSync(dir).filter((n) => n.startsWith(`motia-callgrind-${process.pid}-${label}`))) {
      const m = readFileSync(join(dir, f), 'utf8').match(/^(?:summary|totals): (\d+)/m)
      if (m) total = Math.max(total, Number(m[1]))
      rmSync(join(dir, f))
    }
    return total / requests
  } finally {
    await server.stop()
  }
}

async function load(url: string, s: number): Promise<number> {
  const text = await new Response(Bun.spawn(['wrk', '-t1', '-c10', `-d${s}s`, url], { stdout: 'pipe' }).stdout).text()
  return Number(text.match(/(\d+) requests in/)?.[1])
}

async function run(cmd: string[]): Promise<void> {
  await Bun.spawn(cmd, { stdout: 'ignore', stderr: 'ignore' }).exited
}

const bin = await binary()
const start = (dir: string) => [bin, 'start', '--dir', dir, '--port', '0', '--host', '127.0.0.1']

if (values.only === 'sampling') {
  // Sampling at 0.1 against tracing off. Under valgrind the server answers ~500 requests a
  // second, so every sampled trace is kept (at full speed most are past the store's cap): the
  // ratio here is a lower bound of the real one.
  const sampled = helloProject(1)
  const off = helloProject(1)
  appendFileSync(
    join(sampled, 'config.yaml'),
    `observability:\n  sampling:\n    ratio: ${process.env.MOTIA_BENCH_SAMPLING_RATIO ?? 0.1}\n`,
  )
  appendFileSync(join(off, 'config.yaml'), 'observability:\n  enabled: false\n')
  try {
    const s = await count('sampled', start(sampled))
    const f = await count('off', start(off))
    console.log(`Instructions per request, hello route, callgrind (wrk -c10 for ${seconds} s after an 8 s warm-up)`)
    console.log(`  sampling 0.1  ${fmt(s).padStart(8)}`)
    console.log(`  tracing off   ${fmt(f).padStart(8)}`)
    console.log(`  ratio off/sampled: ${fmt(f / s, 3)}`)
  } finally {
    rmSync(sampled, { recursive: true, force: true })
    rmSync(off, { recursive: true, force: true })
  }
  process.exit(0)
}

const dir = helloProject(1)
appendFileSync(join(dir, 'config.yaml'), 'observability:\n  maxTraces: 10\n')
try {
  const motia = await count('motia', start(dir))
  const elysia = await count('elysia', [process.execPath, `${import.meta.dir}/baselines/elysia-hello.ts`])
  console.log(`Instructions per request, hello route, callgrind (wrk -c10 for ${seconds} s after an 8 s warm-up)`)
  console.log(`  motia start  ${fmt(motia).padStart(8)}`)
  console.log(`  bare Elysia  ${fmt(elysia).padStart(8)}`)
  console.log(`  ratio Elysia/motia: ${fmt(elysia / motia, 3)}`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
