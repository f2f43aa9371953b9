import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { Subprocess } from 'bun'
import { buildBinary } from '../build'

export const ROOT = join(import.meta.dir, '..')
export const BINARY = join(ROOT, 'dist', 'motia')

/**
 * Builds dist/motia unless `--no-build` is passed and a binary exists; `MOTIA_BENCH_BINARY=path`
 * uses that build instead (an older build to compare with, or others may be rebuilding dist/motia).
 */
export async function binary(): Promise<string> {
  if (process.env.MOTIA_BENCH_BINARY) return process.env.MOTIA_BENCH_BINARY
  if (Bun.argv.includes('--no-build') && existsSync(BINARY)) return BINARY
  return buildBinary(BINARY)
}

/** A project of `n` hello steps (`GET /hello`, `/hello-1`, ...), in a temp dir. */
export function helloProject(n = 1): string {
  const dir = mkdtempSync(join(tmpdir(), 'motia-bench-'))
  mkdirSync(join(dir, 'steps'))
  for (let i = 0; i < n; i++) {
    const path = i === 0 ? '/hello' : `/hello-${i}`
    writeFileSync(
      join(dir, 'steps', `hello-${i}.step.ts`),
      `export const config = { name: 'Hello${i}', triggers: [{ type: 'http', method: 'GET', path: '${path}' }] }\n` +
        `export const handler = async () => ({ status: 200, body: { message: 'Hello' } })\n`,
    )
  }
  writeFileSync(
    join(dir, 'config.yaml'),
    'logging:\n  level: info\n  format: json\nstreams:\n  port: 0\nconsole:\n  port: 0\n',
  )
  return dir
}

/**
 * The sampling A/B's two hello projects: `observability.sampling.ratio` 0.1 (or
 * MOTIA_BENCH_SAMPLING_RATIO) and `observability.enabled: false`.
 */
export function samplingProjects(): { sampled: string; off: string; remove(): void } {
  const sampled = helloProject(1)
  const off = helloProject(1)
  appendFileSync(
    join(sampled, 'config.yaml'),
    `observability:\n  sampling:\n    ratio: ${process.env.MOTIA_BENCH_SAMPLING_RATIO ?? 0.1}\n`,
  )
  appendFileSync(join(off, 'config.yaml'), 'observability:\n  enabled: false\n')
  return {
    sampled,
    off,
    remove() {
      rmSync(sampled, { recursive: true, force: true })
      rmSync(off, { recursive: true, force: true })
    },
  }
}

export interface Server {
  url: string
  proc: Subprocess
  stop(): Promise<void>
}

/** valgrind's callgrind, counting only between the dumps the bench asks for, one file per thread. */
export function callgrind(outPrefix: string): string[] {
  return [
    'valgrind',
    '-q',
    '--tool=callgrind',
    '--instr-atstart=no',
    '--separate-threads=yes',
    `--callgrind-out-file=${outPrefix}.%p`,
  ]
}

/**
 * `MOTIA_BENCH_PIN=1`: servers run on CPU 1 and wrk on CPU 0 (taskset), so the load generator
 * and the server never take turns on one core, and neither migrates: A/B rounds spread less.
 */
const PIN = process.env.MOTIA_BENCH_PIN === '1'
const pinned = (cmd: string[], cpu: number) => (PIN ? ['taskset', '-c', String(cpu), ...cmd] : cmd)

/** Spawns a server and waits for the URL it prints (`ready <url>` or motia's ready log line). */
export async function spawnServer(
  cmd: string[],
  env: Record<string, string> = {},
  /** A file for the server's stderr (else this process's). */
  stderrFile?: string,
): Promise<Server> {
  const stderr = stderrFile ? Bun.file(stderrFile) : 'inherit'
  const proc = Bun.spawn(pinned(cmd, 1), { stdout: 'pipe', stderr, env: { ...process.env, ...env } })
  const decoder = new TextDecoder()
  const reader = proc.stdout.getReader()
  let out = ''
  for (;;) {
    const { value, done } = await reader.read()
    if (done) break
    out += decoder.decode(value)
    const m = out.match(/"url":"(http[^"]+)"/) ?? out.match(/^ready (http\S+)/m)
    if (m) {
      const url = m[1]!.replace(/\/$/, '')
      // Keep draining so the child never blocks on a full pipe.
      void (async () => {
        while (!(await reader.read()).done) {}
      })()
      return {
        url,
        proc,
        async stop() {
          proc.kill()
          await proc.exited
        },
      }
    }
  }
  throw new Error(`server exited before ready: ${out}`)
}

export interface GcSummary {
  /** Young (eden) and full collections. */
  eden: number
  full: number
  /** What the collector marked, summed over the collections. */
  markedMb: number
  /** The collections' wall time. */
  ms: number
}

/**
 * The collections of the busiest heap (the engine thread's: worker threads have heaps of their
 * own) in a stretch of JSC's GC log (`BUN_JSC_logGC=1` on stderr).
 */
export function gcSummary(log: string): GcSummary {
  const heaps = new Map<string, GcSummary>()
  for (const line of log.split('\n')) {
    const start = line.match(/^\[GC<(0x[0-9a-f]+)>: START .*=> (Eden|Full)Collection/)
    if (start) {
      const h = heaps.get(start[1]!) ?? { eden: 0, full: 0, markedMb: 0, ms: 0 }
      h[start[2] === 'Eden' ? 'eden' : 'full']++
      heaps.set(start[1]!, h)
    }
    const end = line.match(/^\[GC<(0x[0-9a-f]+)>:.* v=(\d+)kb[^\]]*cycle ([\d.]+)ms END/)
    const h = end && heaps.get(end[1]!)
    if (h) {
      h.markedMb += Number(end[2]) / 1024
      h.ms += Number(end[3])
    }
  }
  const busiest = [...heaps.values()].sort((a, b) => b.eden + b.full - (a.eden + a.full))[0]
  return busiest ?? { eden: 0, full: 0, markedMb: 0, ms: 0 }
}

export interface WrkResult {
  rps: number
  p50ms: number
  p99ms: number
  /** Server CPU time (user + system) per request, when the server's pid was given. */
  cpuUs?: number
}

/** A process's CPU time so far (user + system), in µs, from /proc (Linux). */
export function cpuTimeUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const ticks = Number(f[11]) + Number(f[12])
  return (ticks * 1e6) / CLOCK_TICKS
}
const CLOCK_TICKS = 100

/**
 * CPU ticks (10 ms each) so far of each thread of `pid` (`self`: this process), from /proc,
 * summed by thread name, or kept apart as `name (tid)` with `byTid`. A thread that ends while
 * it is read is left out.
 */
export function threadTicks(pid: number | 'self', byTid = false): Map<string, number> {
  const out = new Map<string, number>()
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
      const close = stat.lastIndexOf(')')
      const name = stat.slice(stat.indexOf('(') + 1, close)
      const f = stat.slice(close + 2).split(' ')
      const key = byTid ? `${name} (${tid})` : name
      out.set(key, (out.get(key) ?? 0) + Number(f[11]) + Number(f[12]))
    } catch {} // the thread ended
  }
  return out
}

/** Runs wrk (apt install wrk) and parses req/s and latency percentiles. */
export async function wrk(
  url: string,
  opts: { seconds?: number; connections?: number; threads?: number; pid?: number; script?: string } = {},
): Promise<WrkResult> {
  const { seconds = 5, connections = 50, threads = 1, pid, script } = opts
  const cpu0 = pid ? cpuTimeUs(pid) : 0
  const args = [
    'wrk',
    `-t${threads}`,
    `-c${connections}`,
    `-d${seconds}s`,
    '--latency',
    ...(script ? ['-s', script] : []),
  ]
  const p = Bun.spawn(pinned([...args, url], 0), {
    stdout: 'pipe',
  })
  const text = await new Response(p.stdout).text()
  await p.exited
  if (/Non-2xx or 3xx responses/.test(text)) throw new Error(`wrk got error responses from ${url}:\n${text}`)
  const rps = Number(text.match(/Requests\/sec:\s+([\d.]+)/)?.[1])
  const pct = (q: string) => toMs(text.match(new RegExp(`\\s${q}%\\s+([\\d.]+\\w+)`))?.[1])
  if (!rps) throw new Error(`could not parse wrk output:\n${text}`)
  const result: WrkResult = { rps, p50ms: pct('50'), p99ms: pct('99') }
  const requests = Number(text.match(/(\d+) requests in/)?.[1])
  if (pid && requests) result.cpuUs = (cpuTimeUs(pid) - cpu0) / requests
  return result
}

function toMs(v: string | undefined): number {
  if (!v) return Number.NaN
  const n = Number.parseFloat(v)
  if (v.endsWith('us')) return n / 1000
  if (v.endsWith('ms')) return n
  if (v.endsWith('s')) return n * 1000
  return n
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

export const fmt = (n: number, d = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })

/** The options of the wrk A/B benches: `[--rounds 3] [--seconds 5] [--connections 50] [--warmup 5] [--no-build]`. */
export function abOptions(): { rounds: number; seconds: number; connections: number; warmup: number } {
  const { values } = parseArgs({
    args: Bun.argv.slice(2),
    options: {
      rounds: { type: 'string', default: '3' },
      seconds: { type: 'string', default: '5' },
      connections: { type: 'string', default: '50' },
      warmup: { type: 'string', default: String(WARMUP_SECONDS) },
      'no-build': { type: 'boolean', default: false },
      // bench/http.ts: one comparison of its two.
      only: { type: 'string' },
    },
  })
  return {
    rounds: Number(values.rounds),
    seconds: Number(values.seconds),
    connections: Number(values.connections),
    warmup: Number(values.warmup),
  }
}

/**
 * Seconds of load before a server's measured window. Code that runs once a second (the trace
 * store's write) reaches the JIT's optimising tiers only after several seconds of load: after
 * 2 s, a traced hello server still compiled ~20 functions in the next 10 s (untraced: 3), and
 * its JIT thread cost ~1% of the window's CPU (BUN_JSC_report*CompileTimes, 2026-12-07).
 */
const WARMUP_SECONDS = 5

/**
 * wrk on `path` of each server in alternating rounds (after a warm-up each), so drift on a
 * noisy machine hits all of them; each result carries the server's CPU time per request.
 */
export async function alternate(
  servers: readonly Server[],
  path: string,
  o: { rounds: number; seconds: number; connections: number },
  script?: string,
): Promise<WrkResult[][]> {
  for (const s of servers) await wrk(`${s.url}${path}`, { seconds: 2, connections: o.connections, script })
  const out: WrkResult[][] = servers.map(() => [])
  for (let i = 0; i < o.rounds; i++) {
    for (const [k, s] of servers.entries()) {
      out[k]!.push(
        await wrk(`${s.url}${path}`, { seconds: o.seconds, connections: o.connections, pid: s.proc.pid, script }),
      )
    }
  }
  return out
}

/** One line of medians: `label  req/s  p50  p99`. */
export function medianLine(label: string, rs: readonly WrkResult[]): string {
  const m = (f: (r: WrkResult) => number) => median(rs.map(f))
  return `  ${label}  ${fmt(m((r) => r.rps)).padStart(9)} req/s   p50 ${fmt(
    m((r) => r.p50ms),
    2,
  )} ms   p99 ${fmt(
    m((r) => r.p99ms),
    2,
  )} ms`
}

/**
 * The A/B HTTP bench: starts both servers, runs `alternate` on `path`, prints a header and
 * a median line each, stops them, and returns each side's results.
 */
export async function compareServers(
  o: { rounds: number; seconds: number; connections: number; warmup?: number },
  path: string,
  sides: readonly [label: string, cmd: string[]][],
  /** A wrk Lua script (method, body, paths); `path` is then usually ''. */
  script?: string,
): Promise<WrkResult[][]> {
  // Fresh processes every round: one server process can run ~10-20% slower or faster than
  // another of the same build and config for its whole life (measured here: the same A/B gave
  // 0.78 with one pair of processes and 0.95 as the median of five fresh pairs), so rounds on
  // the same processes repeat that luck instead of averaging it out.
  const results: WrkResult[][] = sides.map(() => [])
  for (let round = 0; round < o.rounds; round++) {
    const servers: Server[] = []
    try {
      for (const [, cmd] of sides) servers.push(await spawnServer(cmd))
      const order = [...servers.keys()]
      if (round % 2 === 1) order.reverse()
      const one = await alternate(
        order.map((k) => servers[k]!),
        path,
        { ...o, rounds: 1 },
        script,
      )
      for (const [i, k] of order.entries()) results[k]!.push(one[i]![0]!)
    } finally {
      for (const s of servers) await s.stop()
    }
  }
  console.log(
    `HTTP ${path}, wrk -t1 -c${o.connections} -d${o.seconds}s, median of ${o.rounds} rounds (fresh processes each, alternating order)`,
  )
  for (const [k, [label]] of sides.entries()) console.log(medianLine(label, results[k]!))
  return results
}
