/**
 * Scale-out through the compiled binary: several `motia start` on one Redis against one
 * `motia start` on SQLite, same machine, same run (bench/scale.ts measures the adapters alone).
 *
 *   streams  cross-instance delivery: writes through HTTP on instance A (ctx.streams.items.set),
 *            WebSocket clients on instance B. Paced writes → latency (HTTP send on A → frame on
 *            B), p50/p99, goals < 2 ms / < 10 ms over the same path on one SQLite instance
 *            (the extra the hop through Redis costs is printed too); a burst → fan-out
 *            deliveries/s until every client has every write, goal ≥ 0.7 × one SQLite instance.
 *   http     GET /hello with state, streams and queue on Redis vs on SQLite (wrk, alternating
 *            rounds, medians). Goal ≥ 0.9.
 *
 *   ./node_modules/.bin/bun bench/scale-fleet.ts [--only streams,http] [--clients 200] [--writes 500]
 *     [--paced 300] [--rounds 3] [--seconds 5] [--connections 50] [--no-build] [--redis redis://127.0.0.1:6379]
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { dropPrefix, freshPrefix } from '../test/support/redis'
import { alternate, binary, fmt, helloProject, median, medianLine, ROOT, type Server, spawnServer } from './support'

const { values: args } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    only: { type: 'string' },
    clients: { type: 'string', default: '200' },
    writes: { type: 'string', default: '500' },
    paced: { type: 'string', default: '300' },
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '50' },
    redis: { type: 'string', default: 'redis://127.0.0.1:6379' },
    'no-build': { type: 'boolean' },
  },
})
const only = args.only?.split(',')
const now = () => performance.timeOrigin + performance.now()
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!
const bin = process.env.MOTIA_TEST_BINARY ?? (await binary())

/** test/fixtures/fleet in a temp dir: an `items` stream written through `POST /items/:group/:id`. */
function fleetProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'motia-bench-fleet-'))
  cpSync(join(ROOT, 'test', 'fixtures', 'fleet'), dir, { recursive: true })
  return dir
}

const start = (dir: string, env: Record<string, string>) =>
  spawnServer([bin, 'start', '--dir', dir, '--port', '0', '--host', '127.0.0.1'], { LOG_LEVEL: 'warn', ...env })

interface Client {
  ws: WebSocket
  seen: number
  /** Arrival time of each item id's create frame. */
  arrivals: Map<string, number>
}

async function connect(url: string, group: string, n: number): Promise<Client[]> {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const ws = new WebSocket(url.replace('http', 'ws'))
      const c: Client = { ws, seen: 0, arrivals: new Map() }
      let synced: () => void
      const sync = new Promise<void>((r) => {
        synced = r
      })
      ws.onmessage = (e) => {
        const t = now()
        const f = JSON.parse(String(e.data)) as { id?: string; event: { type: string } }
        if (f.event.type === 'sync') return synced()
        c.seen++
        if (f.id) c.arrivals.set(f.id, t)
      }
      await new Promise((r, j) => {
        ws.onopen = r
        ws.onerror = j
      })
      ws.send(JSON.stringify({ type: 'join', data: { streamName: 'items', groupId: group, subscriptionId: 's' } }))
      await sync
      return c
    }),
  )
}

const write = (url: string, group: string, id: string) =>
  fetch(`${url}/items/${group}/${id}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ label: id, v: 1 }),
  })

/** Latency (HTTP send on `writer` → frame on one client of `reader`) and fan-out rate to `clients` clients. */
async function streamRun(writer: string, reader: string, label: string) {
  const group = `g${Date.now()}${Math.random().toString(36).slice(2, 6)}`
  const [probe] = await connect(reader, `${group}-paced`, 1)
  const lat: number[] = []
  const paced = Number(args.paced)
  for (let i = 0; i < paced; i++) {
    const id = `p${i}`
    const t0 = now()
    await write(writer, `${group}-paced`, id)
    while (!probe!.arrivals.has(id)) await Bun.sleep(0)
    lat.push(probe!.arrivals.get(id)! - t0)
    await Bun.sleep(2) // paced: one write at a time, ~ a few hundred per second
  }
  probe!.ws.close()

  const clients = await connect(reader, group, Number(args.clients))
  const writes = Number(args.writes)
  const t0 = now()
  let next = 0
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < writes) await write(writer, group, `b${next++}`)
    }),
  )
  while (clients.some((c) => c.seen < writes)) await Bun.sleep(1)
  const secs = (now() - t0) / 1000
  for (const c of clients) c.ws.close()
  const rate = (writes * clients.length) / secs
  const line = `  ${label.padEnd(34)} latency p50 ${fmt(pct(lat, 0.5), 2)} ms, p99 ${fmt(pct(lat, 0.99), 2)} ms; fan-out ${fmt(rate)} deliveries/s (${writes} writes × ${clients.length} clients in ${fmt(secs, 2)} s)`
  console.log(line)
  return { p50: pct(lat, 0.5), p99: pct(lat, 0.99), rate }
}

async function streams(): Promise<void> {
  console.log(
    `streams: paced ${args.paced} writes (latency), then ${args.writes} writes × ${args.clients} clients (fan-out)`,
  )
  const dir = fleetProject()
  const prefix = freshPrefix('bench-fleet')
  const tmp = mkdtempSync(join(tmpdir(), 'motia-bench-data-'))
  const servers: Server[] = []
  try {
    const sqlite = await start(dir, {
      MOTIA_ADAPTER: 'sqlite',
      MOTIA_QUEUE_ADAPTER: 'sqlite',
      MOTIA_SQLITE: join(tmp, 's.db'),
      MOTIA_REDIS_PREFIX: prefix,
    })
    servers.push(sqlite)
    const base = await streamRun(sqlite.url, sqlite.url, 'one instance, sqlite')
    await sqlite.stop()
    servers.length = 0
    const redisEnv = (k: string) => ({
      MOTIA_REDIS_URL: args.redis!,
      MOTIA_REDIS_PREFIX: prefix,
      MOTIA_SQLITE: join(tmp, `${k}.db`),
    })
    const a = await start(dir, redisEnv('a'))
    const b = await start(dir, redisEnv('b'))
    servers.push(a, b)
    const same = await streamRun(a.url, a.url, 'redis, write on A → client on A')
    const cross = await streamRun(a.url, b.url, 'redis, write on A → client on B')
    console.log(
      `  cross-instance: p50 ${fmt(cross.p50, 2)} ms (goal < 2), p99 ${fmt(cross.p99, 2)} ms (goal < 10); ` +
        `the hop through Redis adds p50 ${fmt(cross.p50 - base.p50, 2)} ms over one sqlite instance; ` +
        `fan-out ratio B/sqlite ${fmt(cross.rate / base.rate, 3)} (goal ≥ 0.7), A/sqlite ${fmt(same.rate / base.rate, 3)}`,
    )
  } finally {
    for (const s of servers) await s.stop()
    await dropPrefix(prefix, args.redis!)
    rmSync(dir, { recursive: true, force: true })
    rmSync(tmp, { recursive: true, force: true })
  }
}

async function http(): Promise<void> {
  const o = { rounds: Number(args.rounds), seconds: Number(args.seconds), connections: Number(args.connections) }
  const sqliteDir = helloProject(1)
  const redisDir = helloProject(1)
  const prefix = freshPrefix('bench-http')
  writeFileSync(
    join(redisDir, 'config.yaml'),
    `logging: { level: info, format: json }\nstreams: { port: 0, adapter: redis }\nconsole: { port: 0 }\n` +
      `state: { adapter: redis }\nqueue: { adapter: redis }\nredis: { url: "${args.redis}", prefix: "${prefix}" }\n`,
  )
  const servers: Server[] = []
  try {
    servers.push(await start(sqliteDir, {}), await start(redisDir, {}))
    const [s, r] = await alternate(servers, '/hello', o)
    console.log(`HTTP /hello, wrk -t1 -c${o.connections} -d${o.seconds}s, median of ${o.rounds} alternating rounds`)
    console.log(medianLine('all adapters sqlite', s!))
    console.log(medianLine('all adapters redis', r!))
    const ratio = median(r!.map((x) => x.rps)) / median(s!.map((x) => x.rps))
    console.log(`  ratio redis/sqlite: ${fmt(ratio, 3)}  (goal ≥ 0.9)`)
  } finally {
    for (const s of servers) await s.stop()
    await dropPrefix(prefix, args.redis!)
    rmSync(sqliteDir, { recursive: true, force: true })
    rmSync(redisDir, { recursive: true, force: true })
  }
}

const SECTIONS: Record<string, () => Promise<void>> = { streams, http }
for (const [name, run] of Object.entries(SECTIONS)) if (!only || only.includes(name)) await run()
