/**
 * iii worker function invoke round trip (engine → worker → engine) against the same trivial
 * handler as a step in the worker pool (engine → worker thread → engine), one worker each:
 *   - p50 / p99 of sequential invocations;
 *   - throughput (invocations/s) with `--concurrency` in flight.
 * The iii worker is a Node process running the published `iii-sdk` (installed by
 * test/iii-sdk/run.ts into test/iii-sdk/.deps) over loopback WebSocket; the pool is the queue
 * module's WorkerPool with one Bun worker thread. Rounds alternate. Goal: iii ≥ 0.8× the pool.
 *   bun bench/iii-worker.ts [--rounds 5] [--calls 20000] [--latency-calls 2000] [--concurrency 50] [--raw]
 * `--raw`: the Node worker uses `ws` directly, without the SDK (what the protocol itself costs).
 * Also measured, as `socket`: the ceiling of any engine here, a bare `Bun.serve` WebSocket (no
 * engine: a Map of pending calls) invoking the bare `ws` worker with the same frames.
 */
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { defaultModules } from '../cmd/default-modules'
import type { IiiModuleApi } from '../modules/iii/iii-module'
import { WorkerPool } from '../modules/queue/pool/worker-pool'
import { createRuntime } from '../runtime/runtime'
import { DEPS, installDeps } from '../test/iii-sdk/run'
import { benchProject, pct } from './queue-run'
import { fmt, median } from './support'

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    rounds: { type: 'string', default: '5' },
    calls: { type: 'string', default: '20000' },
    'latency-calls': { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '50' },
    /** The worker speaks the protocol with `ws` directly instead of through iii-sdk: the SDK's own cost shows. */
    raw: { type: 'boolean', default: false },
  },
})
const ROUNDS = Number(values.rounds)
const CALLS = Number(values.calls)
const LAT_CALLS = Number(values['latency-calls'])
const C = Number(values.concurrency)

installDeps()
const dir = benchProject(
  {
    'echo.step.ts': `export const config = { name: 'Echo', triggers: [{ type: 'queue', topic: 'bench' }] }
export const handler = async (input) => ({ ok: true, n: input.n })
`,
  },
  'logging: { level: warn }\nhttp: { port: 0, host: 127.0.0.1 }\nstreams: { port: 0 }\nconsole: { enabled: false }\ncron: { enabled: false }\nobservability: { enabled: false }\niii: { port: 0 }\nsqlite: { path: ":memory:" }\n',
  'motia-iii-bench-',
)
const rt = await createRuntime({ dir, mode: 'start', modules: defaultModules({ listen: true }), logSinks: [] })
const api = rt.services.shared.get('iii') as IiiModuleApi
const iii = api.engine

const workerScript = join(dir, 'iii-worker.mjs')
const RAW_WORKER = `import { WebSocket } from ${JSON.stringify(join(DEPS, 'node_modules', 'ws', 'wrapper.mjs'))}
const ws = new WebSocket(process.env.III_URL)
ws.on('open', () => ws.send(JSON.stringify({ type: 'registerfunction', id: 'bench::echo' })))
ws.on('message', (buf) => {
  const m = JSON.parse(buf.toString())
  if (m.type !== 'invokefunction') return
  ws.send(JSON.stringify({ type: 'invocationresult', invocation_id: m.invocation_id, function_id: m.function_id, result: { ok: true, n: m.data.n } }))
})
`
writeFileSync(
  workerScript,
  values.raw
    ? RAW_WORKER
    : `import { registerWorker } from ${JSON.stringify(join(DEPS, 'node_modules', 'iii-sdk', 'dist', 'index.mjs'))}
const iii = registerWorker(process.env.III_URL, { otel: { enabled: false } })
iii.registerFunction({ id: 'bench::echo' }, async (input) => ({ ok: true, n: input.n }))
`,
)
const node = Bun.spawn(['node', workerScript], {
  env: { ...process.env, III_URL: api.url()!, OTEL_ENABLED: 'false' },
  stdout: 'ignore',
  stderr: 'inherit',
})
for (let i = 0; i < 500 && !iii.functions.has('bench::echo'); i++) await Bun.sleep(10)
if (!iii.functions.has('bench::echo')) throw new Error('the iii worker did not register bench::echo')

const pool = new WorkerPool({ size: 1, dir, logLevel: 'warn', engine: rt.engine, onLog() {} })
await pool.start()
const file = join(dir, 'steps', 'echo.step.ts')
let n = 0
const viaPool = async () => {
  const o = await pool.run({
    file,
    step: 'Echo',
    triggerIndex: 0,
    topic: 'bench',
    input: { n: n++ },
    traceId: 't',
    attempt: 1,
    timeoutMs: 30_000,
  })
  if (o.status !== 'ok') throw new Error(JSON.stringify(o))
}
const viaIii = async () => {
  await iii.invoke('bench::echo', { n: n++ })
}

/** The socket ceiling: a bare Bun WebSocket server and the bare `ws` worker, nothing else. */
const ceilingScript = join(dir, 'raw-worker.mjs')
writeFileSync(ceilingScript, RAW_WORKER)
const waiting = new Map<string, () => void>()
let ceilingSocket: import('bun').ServerWebSocket<unknown> | undefined
const ceilingServer = Bun.serve({
  port: 0,
  hostname: '127.0.0.1',
  fetch: (req, server) => (server.upgrade(req) ? undefined : new Response('no', { status: 400 })),
  websocket: {
    message(ws, frame) {
      const m = JSON.parse(String(frame)) as { type: string; invocation_id: string }
      if (m.type === 'registerfunction') ceilingSocket = ws
      const done = waiting.get(m.invocation_id)
      waiting.delete(m.invocation_id)
      done?.()
    },
  },
})
const rawNode = Bun.spawn(['node', ceilingScript], {
  env: { ...process.env, III_URL: `ws://127.0.0.1:${ceilingServer.port}` },
  stdout: 'ignore',
  stderr: 'inherit',
})
for (let i = 0; i < 500 && !ceilingSocket; i++) await Bun.sleep(10)
const viaSocket = () =>
  new Promise<void>((resolve) => {
    const id = crypto.randomUUID()
    waiting.set(id, resolve)
    ceilingSocket!.send(
      JSON.stringify({ type: 'invokefunction', invocation_id: id, function_id: 'bench::echo', data: { n: n++ } }),
    )
  })

async function latency(call: () => Promise<void>): Promise<number[]> {
  const xs: number[] = []
  for (let i = 0; i < LAT_CALLS; i++) {
    const t = performance.now()
    await call()
    xs.push(performance.now() - t)
  }
  return xs
}
async function throughput(call: () => Promise<void>): Promise<number> {
  let left = CALLS
  const t = performance.now()
  await Promise.all(
    Array.from({ length: C }, async () => {
      while (left-- > 0) await call()
    }),
  )
  return CALLS / ((performance.now() - t) / 1000)
}

// Warm both paths (JIT, the step import, the socket).
await latency(viaPool)
await latency(viaIii)
await latency(viaSocket)
const empty = () => ({ p50: [] as number[], p99: [] as number[], tput: [] as number[] })
const res = { pool: empty(), iii: empty(), socket: empty() }
type Name = keyof typeof res
const order: [Name, () => Promise<void>][] = [
  ['pool', viaPool],
  ['iii', viaIii],
  ['socket', viaSocket],
]
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, call] of r % 2 === 0 ? order : [...order].reverse()) {
    const lat = await latency(call)
    res[name].p50.push(pct(lat, 0.5))
    res[name].p99.push(pct(lat, 0.99))
    res[name].tput.push(await throughput(call))
  }
}
for (const name of ['pool', 'iii', 'socket'] as const) {
  console.log(
    `${name.padEnd(6)}  p50 ${fmt(median(res[name].p50) * 1000)} µs  p99 ${fmt(median(res[name].p99) * 1000)} µs  throughput ${fmt(median(res[name].tput))}/s (c${C})`,
  )
}
console.log(`iii / pool throughput: ${fmt(median(res.iii.tput) / median(res.pool.tput), 2)}× (goal ≥ 0.8×)`)
console.log(
  `socket ceiling / pool: ${fmt(median(res.socket.tput) / median(res.pool.tput), 2)}×; iii / socket ceiling: ${fmt(median(res.iii.tput) / median(res.socket.tput), 2)}×`,
)

node.kill()
rawNode.kill()
await ceilingServer.stop(true)
await pool.stop()
await rt.stop()
rmSync(dir, { recursive: true, force: true })
