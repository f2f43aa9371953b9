/**
 * Python steps, each figure against its baseline in the same run:
 *   (a) HTTP: a trivial async Python HTTP step under `motia start` (compiled binary) against the
 *       design's physical limit, a bare Bun.serve route that round-trips each request through one
 *       python3 process over a JSON-lines pipe (baselines/python-pipe.ts); req/s at -c50
 *       (goal ≥ 0.7×) and p50 at -c1 (goal < 1 ms). A `def` handler is shown too.
 *   (b) Queue: messages/s of a trivial Python queue handler against the same handler in TS
 *       (in-process runtime, same concurrency; goal ≥ 0.5×), enqueue→start p50 at 500 msg/s (< 2 ms).
 *   (c) TS hello req/s in a project with a Python step against one without (goal within ±5%).
 * Five rounds by default: with three, the (a) ratio of one run spread ±12% on a 2-core machine.
 *   bun bench/python.ts [--rounds 5] [--seconds 5] [--connections 50] [--no-build]
 *                       [--messages 5000] [--concurrency 20] [--only http|queue|ts]
 * MOTIA_BENCH_BINARY=path uses that build instead of building dist/motia.
 */
import { rmSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { registerBuiltins } from '../cmd/builtins'
import { benchProject, embeddedQueueRun } from './queue-run'
import { alternate, binary, fmt, median, medianLine, type Server, spawnServer, type WrkResult } from './support'

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '50' },
    messages: { type: 'string', default: '5000' },
    concurrency: { type: 'string', default: '20' },
    only: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
  },
})
const o = { rounds: Number(values.rounds), seconds: Number(values.seconds), connections: Number(values.connections) }
const N = Number(values.messages)
const C = Number(values.concurrency)
const run = (part: string) => !values.only || values.only === part

const TS_HELLO = `export const config = { name: 'Hello', triggers: [{ type: 'http', method: 'GET', path: '/hello' }] }
export const handler = async () => ({ status: 200, body: { message: 'Hello' } })
`
const PY_ASYNC = `from motia import http
config = {"name": "PyHello", "triggers": [http("GET", "/py")]}
async def handler(req):
    return {"status": 200, "body": {"message": "Hello"}}
`
const PY_SYNC = `from motia import http
config = {"name": "PyHelloDef", "triggers": [http("GET", "/py-def")]}
def handler(req):
    return {"status": 200, "body": {"message": "Hello"}}
`

const project = (files: Record<string, string>, yaml: string) => benchProject(files, yaml, 'motia-pybench-')
/** The first messages pay for imports and JIT: not counted. */
const WARMED = { messages: N, warmup: 200 }
const SERVER_YAML = 'logging:\n  level: info\n  format: json\nstreams:\n  port: 0\nconsole:\n  port: 0\n'
const dirs: string[] = []
const serve = async (files: Record<string, string>): Promise<Server> => {
  const dir = project(files, SERVER_YAML)
  dirs.push(dir)
  return spawnServer([bin, 'start', '--dir', dir, '--port', '0', '--host', '127.0.0.1'])
}
const rps = (rs: WrkResult[]) => median(rs.map((r) => r.rps))

// MOTIA_BENCH_BINARY: a build at another path (others may be rebuilding dist/motia).
const bin = run('http') || run('ts') ? (process.env.MOTIA_BENCH_BINARY ?? (await binary())) : ''
try {
  if (run('http')) {
    const pipe = await spawnServer([process.execPath, `${import.meta.dir}/baselines/python-pipe.ts`])
    const motia = await serve({ 'py_step.py': PY_ASYNC, 'py_def_step.py': PY_SYNC })
    try {
      const servers = [pipe, motia, motia]
      const paths = ['/hello', '/py', '/py-def']
      const many = await alternatePaths(servers, paths, o)
      const one = await alternatePaths(servers, paths, { ...o, connections: 1 })
      console.log(`(a) HTTP, wrk -t1 -d${o.seconds}s, median of ${o.rounds} alternating rounds`)
      const labels = [
        'pipe limit (Bun.serve ⇄ python3)',
        'Python async step (motia start) ',
        'Python def step (motia start)   ',
      ]
      for (const [k, label] of labels.entries()) console.log(medianLine(`${label} -c${o.connections}`, many[k]!))
      for (const [k, label] of labels.entries()) console.log(medianLine(`${label} -c1 `, one[k]!))
      const p50 = median(one[1]!.map((r) => r.p50ms))
      // Each round's own ratio too: the step and the limit ran seconds apart, so the machine's
      // drift between rounds cancels out of it.
      const paired = (k: number) => median(many[k]!.map((r, i) => r.rps / many[0]![i]!.rps))
      console.log(
        `  ratio async step / pipe limit: ${fmt(rps(many[1]!) / rps(many[0]!), 2)} (median of the rounds' own: ${fmt(paired(1), 2)}; goal ≥ 0.7); def: ${fmt(rps(many[2]!) / rps(many[0]!), 2)} (rounds' own: ${fmt(paired(2), 2)}; goal ≥ 0.7); async p50 at -c1 ${fmt(p50, 3)} ms (goal < 1 ms)`,
      )
    } finally {
      await pipe.stop()
      await motia.stop()
    }
  }
  if (run('ts')) {
    const tsOnly = await serve({ 'hello.step.ts': TS_HELLO })
    const withPy = await serve({ 'hello.step.ts': TS_HELLO, 'py_step.py': PY_ASYNC })
    try {
      const [a, b] = await alternate([tsOnly, withPy], '/hello', o)
      console.log(`(c) TS hello, wrk -t1 -c${o.connections} -d${o.seconds}s, median of ${o.rounds} alternating rounds`)
      console.log(medianLine('TS steps only          ', a!))
      console.log(medianLine('TS + a Python step     ', b!))
      console.log(`  ratio with/without Python: ${fmt(rps(b!) / rps(a!), 3)} (goal 0.95–1.05)`)
    } finally {
      await tsOnly.stop()
      await withPy.stop()
    }
  }
  if (run('queue')) {
    registerBuiltins()
    const ts = await embeddedQueueRun(
      {
        'work.step.ts': `export const config = { name: 'Work', triggers: [{ type: 'queue', topic: 'work', config: { concurrency: ${C} } }] }
export const handler = async (data, { logger }) => { logger.info('start', { lat: performance.timeOrigin + performance.now() - data.t }) }`,
      },
      WARMED,
    )
    const py = await embeddedQueueRun(
      {
        'work_step.py': `import time
from motia import logger, queue
config = {"name": "Work", "triggers": [queue("work", config={"concurrency": ${C}})]}
async def handler(data):
    logger.info("start", {"lat": time.time() * 1000 - data["t"]})
`,
      },
      WARMED,
    )
    console.log(`(b) Queue end to end, ${fmt(N)} messages, concurrency ${C}, trivial handler (in-process runtime)`)
    for (const [label, r] of [
      ['TS handler    ', ts],
      ['Python handler', py],
    ] as const) {
      console.log(
        `  ${label}  ${fmt(r.rate).padStart(8)} msg/s   enqueue→start (at 500/s) p50 ${fmt(r.p50, 2)} ms   p99 ${fmt(r.p99, 2)} ms`,
      )
    }
    console.log(`  ratio Python/TS: ${fmt(py.rate / ts.rate, 2)} (goal ≥ 0.5); Python p50 goal < 2 ms`)
  }
} finally {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
}
process.exit(0)

/** `alternate` with one path per server (the same server may appear with several paths). */
async function alternatePaths(
  servers: Server[],
  paths: string[],
  opts: { rounds: number; seconds: number; connections: number },
): Promise<WrkResult[][]> {
  const out: WrkResult[][] = servers.map(() => [])
  for (let r = 0; r < opts.rounds; r++) {
    for (const [k, s] of servers.entries()) {
      const [res] = await alternate([s], paths[k]!, { ...opts, rounds: 1 })
      out[k]!.push(res![0]!)
    }
  }
  return out
}
