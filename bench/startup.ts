/**
 * Start-up: `motia start` on a generated 50-step project until its first 200 response, against
 * the bare Elysia hello process started the same way, in the same run (median of N, alternating).
 * Then idle RSS: `motia start` on a one-step hello project and the bare Elysia process, each
 * read from /proc/<pid>/status 1 s after its first 200 (median of N, alternating; Linux only), both
 * executables' pages read back from disk (evictFromPageCache).
 *   bun bench/startup.ts [--runs 7] [--steps 50] [--no-build]
 */
import { closeSync, fsyncSync, openSync, readFileSync, rmSync } from 'node:fs'
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

/** Starts `cmd`, polls `url` until a 200; returns the time to it and, with `idleMs`, the RSS (MB) then. */
async function firstResponse(cmd: string[], url: string, idleMs?: number): Promise<{ ms: number; rssMb: number }> {
  const t0 = performance.now()
  const proc = Bun.spawn(cmd, { stdout: 'ignore', stderr: 'inherit' })
  try {
    for (;;) {
      try {
        const r = await fetch(url)
        if (r.status === 200) {
          const ms = performance.now() - t0
          if (idleMs === undefined) return { ms, rssMb: Number.NaN }
          await Bun.sleep(idleMs)
          return { ms, rssMb: rssMb(proc.pid) }
        }
      } catch {}
      await Bun.sleep(1)
      if (performance.now() - t0 > 10_000) throw new Error(`no 200 from ${url} within 10 s`)
    }
  } finally {
    proc.kill()
    await proc.exited
  }
}

/**
 * Drops an executable's pages from the page cache (Linux, GNU dd), so that both processes map
 * their executable's pages as read back from disk. How pages entered the cache changes the RSS of
 * the same code: a file just written (a fresh build, a copy of bun) is cached in large folios, a
 * fault maps a whole one, and bare Elysia's RSS was 44.0 MB on a fresh copy of bun against 39.0 MB
 * on the same bytes read back from disk. Pages must be written out (clean) to be dropped.
 */
function evictFromPageCache(file: string): void {
  const fd = openSync(file, 'r')
  fsyncSync(fd)
  closeSync(fd)
  Bun.spawnSync(['dd', `if=${file}`, 'iflag=nocache', 'count=0', 'status=none'])
}

/** Resident set size of a process, in MB (VmRSS). */
function rssMb(pid: number): number {
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
  return Number(kb) / 1024
}

const bin = await binary()
const steps = Number(values.steps)
const runs = Number(values.runs)
const dir = helloProject(steps)
const hello = helloProject(1)
const port = 41000 + Math.floor(Math.random() * 1000)
const motia = (project: string, idleMs?: number) =>
  firstResponse(
    [bin, 'start', '--dir', project, '--port', String(port), '--host', '127.0.0.1'],
    `http://127.0.0.1:${port}/${project === dir ? `hello-${steps - 1}` : 'hello'}`,
    idleMs,
  )
const elysia = (idleMs?: number) =>
  firstResponse(
    [process.execPath, `${import.meta.dir}/baselines/elysia-hello-port.ts`, String(port + 1)],
    `http://127.0.0.1:${port + 1}/hello`,
    idleMs,
  )
const mt: number[] = []
const et: number[] = []
const mr: number[] = []
const er: number[] = []
try {
  for (let i = 0; i < runs; i++) {
    mt.push((await motia(dir)).ms)
    et.push((await elysia()).ms)
  }
  evictFromPageCache(bin)
  evictFromPageCache(process.execPath)
  for (let i = 0; i < runs; i++) {
    mr.push((await motia(hello, 1000)).rssMb)
    er.push((await elysia(1000)).rssMb)
  }
  console.log(`Start-up to first 200, median of ${runs} runs`)
  console.log(`  motia start (${steps} steps)  ${fmt(median(mt), 1).padStart(7)} ms   (goal < 300 ms)`)
  console.log(`  bare Elysia hello        ${fmt(median(et), 1).padStart(7)} ms`)
  console.log(`  ratio motia/elysia: ${fmt(median(mt) / median(et), 2)}   (goal <= 1.5)`)
  console.log(`Idle RSS 1 s after the first 200, median of ${runs} runs`)
  console.log(`  motia start (hello)      ${fmt(median(mr), 1).padStart(7)} MB`)
  console.log(`  bare Elysia hello        ${fmt(median(er), 1).padStart(7)} MB`)
  console.log(`  ratio motia/elysia: ${fmt(median(mr) / median(er), 2)}   (goal <= 1.3)`)
} finally {
  rmSync(dir, { recursive: true, force: true })
  rmSync(hello, { recursive: true, force: true })
}
