/**
 * Streams fan-out: one writer, many WebSocket clients on one group. The motia streams module
 * (`ctx.streams.x.set` → store → Bun pub/sub) against bare Bun WebSocket pub/sub publishing
 * the same frames, same machine, same clients, same run. Each server runs in its own process;
 * the clients run in this one.
 *   bun bench/streams.ts [--clients 1000] [--updates 2000] [--rate 200] [--seconds 3] [--rounds 3] [--adapter sqlite|memory]
 * Rounds alternate between the two servers (noise on a small machine hits both); medians are
 * reported. The clients share this process, so on a 2-core machine they, not the servers, may
 * bound the burst figure: the ratio is the number to read.
 * Phases: (1) burst: `updates` writes as fast as the writer goes → deliveries/s until every
 * client has every update; (2) paced: `rate` writes/s for `seconds` → delivery latency
 * (writer call → client onmessage), p50/p99 over a sample of clients; (3) server RSS per idle
 * connection.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    serve: { type: 'string' },
    clients: { type: 'string', default: '1000' },
    updates: { type: 'string', default: '2000' },
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '3' },
    adapter: { type: 'string', default: 'sqlite' },
    rounds: { type: 'string', default: '3' },
  },
})

const now = () => performance.timeOrigin + performance.now()
const BATCH = 50
const yieldLoop = () => new Promise<void>((r) => setImmediate(r))

// ---------------------------------------------------------------------------------------------
// Server side (child process): prints `ready <port>`, then serves commands read from stdin.

interface Writer {
  port: number
  write(n: number, sentAt: number): Promise<void> | void
  stop(): Promise<void>
}

async function bareServer(): Promise<Writer> {
  const server = Bun.serve<undefined>({
    port: 0,
    hostname: '127.0.0.1',
    fetch: (req, srv) => (srv.upgrade(req, { data: undefined }) ? undefined : new Response('ws only', { status: 426 })),
    websocket: {
      backpressureLimit: 16 * 1024 * 1024,
      closeOnBackpressureLimit: true,
      message(ws, raw) {
        const m = JSON.parse(String(raw))
        const topic = JSON.stringify([m.data.streamName, m.data.groupId])
        ws.subscribe(topic)
        ws.send(
          JSON.stringify({
            streamName: 'bench',
            groupId: 'room',
            timestamp: Date.now(),
            event: { type: 'sync', data: [] },
          }),
        )
      },
    },
  })
  const topic = JSON.stringify(['bench', 'room'])
  let last = 0
  return {
    port: server.port!,
    write(n, sentAt) {
      const id = `item-${n % 10}`
      const t = Date.now()
      last = t > last ? t : last + 1
      server.publish(
        topic,
        JSON.stringify({
          streamName: 'bench',
          groupId: 'room',
          id,
          timestamp: last,
          event: { type: 'update', data: { n, sentAt, id } },
        }),
      )
    },
    async stop() {
      await server.stop(true)
    },
  }
}

async function motiaServer(adapter: string): Promise<Writer> {
  const { createRuntime } = await import('../runtime/runtime')
  const { storageModule } = await import('../modules/storage/storage-module')
  const { streamsModule } = await import('../modules/streams/streams-module')
  const dir = mkdtempSync(join(tmpdir(), 'motia-bench-streams-'))
  mkdirSync(join(dir, 'steps'))
  writeFileSync(
    join(dir, 'steps', 'bench.stream.ts'),
    `export const config = { name: 'bench', schema: { type: 'object' }, baseConfig: { storageType: 'default' } }\n`,
  )
  writeFileSync(
    join(dir, 'config.yaml'),
    `streams:\n  port: 0\n  host: 127.0.0.1\n  adapter: ${adapter}\n  onApiPort: false\n  backpressureLimit: 16mb\nlogging:\n  level: warn\n`,
  )
  const rt = await createRuntime({
    dir,
    mode: 'start',
    modules: () => [storageModule(), { name: 'queue' }, streamsModule()],
    env: {},
    logSinks: [],
  })
  const port = Number(new URL(String(rt.services.shared.get('streams.url'))).port)
  const origin = { step: 'bench-writer', traceId: 'bench' }
  return {
    port,
    write: (n, sentAt) =>
      rt.engine.stream('bench', 'set', ['room', `item-${n % 10}`, { n, sentAt }], origin) as Promise<void>,
    async stop() {
      await rt.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

async function serve(kind: string): Promise<void> {
  const w = kind === 'bare' ? await bareServer() : await motiaServer(String(values.adapter))
  console.log(`ready ${w.port}`)
  const lines = createInterface({ input: process.stdin })
  for await (const line of lines) {
    const [cmd, a, b] = line.split(' ')
    if (cmd === 'cpu') {
      const u = process.cpuUsage()
      console.log(`cpu ${u.user + u.system}`)
    } else if (cmd === 'mem') {
      Bun.gc(true)
      console.log(`mem ${process.memoryUsage().rss}`)
    } else if (cmd === 'burst') {
      const n = Number(a)
      for (let i = 0; i < n; i++) {
        await w.write(i, now())
        if (i % BATCH === BATCH - 1) await yieldLoop()
      }
      console.log('done')
    } else if (cmd === 'paced') {
      const rate = Number(a)
      const total = Math.round(rate * Number(b))
      const start = now()
      for (let i = 0; i < total; i++) {
        const due = start + (i * 1000) / rate
        const wait = due - now()
        if (wait > 1) await Bun.sleep(wait)
        await w.write(1_000_000 + i, now())
      }
      console.log('done')
    } else if (cmd === 'quit') {
      await w.stop()
      process.exit(0)
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Client side (this process).

interface Child {
  port: number
  send(cmd: string): void
  next(prefix: string): Promise<string>
  stop(): Promise<void>
}

async function spawnChild(kind: string): Promise<Child> {
  const proc = Bun.spawn([process.execPath, import.meta.path, '--serve', kind, '--adapter', String(values.adapter)], {
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'inherit',
  })
  const queue: string[] = []
  const waiters: { prefix: string; resolve: (l: string) => void }[] = []
  void (async () => {
    const decoder = new TextDecoder()
    let buf = ''
    for await (const chunk of proc.stdout) {
      buf += decoder.decode(chunk)
      let i = buf.indexOf('\n')
      while (i >= 0) {
        const line = buf.slice(0, i)
        buf = buf.slice(i + 1)
        const w = waiters.findIndex((x) => line.startsWith(x.prefix))
        if (w >= 0) waiters.splice(w, 1)[0]!.resolve(line)
        else queue.push(line)
        i = buf.indexOf('\n')
      }
    }
  })()
  const next = (prefix: string) => {
    const i = queue.findIndex((l) => l.startsWith(prefix))
    if (i >= 0) return Promise.resolve(queue.splice(i, 1)[0]!)
    return new Promise<string>((resolve) => waiters.push({ prefix, resolve }))
  }
  const port = Number((await next('ready ')).split(' ')[1])
  return {
    port,
    send: (cmd) => {
      proc.stdin.write(`${cmd}\n`)
      proc.stdin.flush()
    },
    next,
    async stop() {
      proc.stdin.write('quit\n')
      proc.stdin.flush()
      await proc.exited
    },
  }
}

interface Result {
  deliveriesPerSec: number
  /** Server process CPU (user + system) per update during the burst, µs: fan-out included. */
  serverCpuPerUpdate: number
  p50: number
  p99: number
  bytesPerConn: number
  dropped: number
}

async function measure(kind: string): Promise<Result> {
  const child = await spawnChild(kind)
  const clients = Number(values.clients)
  const sampled = Math.min(50, clients)
  child.send('mem')
  const rssBefore = Number((await child.next('mem ')).split(' ')[1])

  let delivered = 0
  let target = Number.POSITIVE_INFINITY
  let lastAt = 0
  let onAll: (() => void) | undefined
  let dropped = 0
  let latencies: number[] = []
  let measuring = false
  const sockets: WebSocket[] = []
  const joined: Promise<void>[] = []
  for (let c = 0; c < clients; c++) {
    const ws = new WebSocket(`ws://127.0.0.1:${child.port}/`)
    const sample = c < sampled
    joined.push(
      new Promise<void>((resolve, reject) => {
        let synced = false
        ws.onopen = () =>
          ws.send(
            JSON.stringify({ type: 'join', data: { streamName: 'bench', groupId: 'room', subscriptionId: `s${c}` } }),
          )
        ws.onerror = () => reject(new Error('connect failed'))
        ws.onclose = () => {
          dropped++
        }
        ws.onmessage = (e) => {
          if (!synced) {
            synced = true
            resolve()
            return
          }
          if (sample && measuring) latencies.push(now() - JSON.parse(String(e.data)).event.data.sentAt)
          delivered++
          if (delivered === target) {
            lastAt = now()
            onAll?.()
          }
        }
      }),
    )
    sockets.push(ws)
    if (c % 100 === 99) await Promise.all(joined.slice(c - 99))
  }
  await Promise.all(joined)
  child.send('mem')
  const rssAfter = Number((await child.next('mem ')).split(' ')[1])

  // Burst: deliveries/s.
  const updates = Number(values.updates)
  delivered = 0
  target = updates * clients
  const all = new Promise<void>((r) => {
    onAll = r
  })
  child.send('cpu')
  const cpu0 = Number((await child.next('cpu ')).split(' ')[1])
  const t0 = now()
  child.send(`burst ${updates}`)
  await Promise.race([all, Bun.sleep(60_000)])
  const deliveriesPerSec = (delivered / ((lastAt || now()) - t0)) * 1000
  await child.next('done')
  child.send('cpu')
  const serverCpuPerUpdate = (Number((await child.next('cpu ')).split(' ')[1]) - cpu0) / updates

  // Paced: latency.
  delivered = 0
  target = Number.POSITIVE_INFINITY
  latencies = []
  measuring = true
  child.send(`paced ${values.rate} ${values.seconds}`)
  await child.next('done')
  const expected = Math.round(Number(values.rate) * Number(values.seconds)) * clients
  const deadline = now() + 10_000
  while (delivered < expected && now() < deadline) await Bun.sleep(10)
  measuring = false
  latencies.sort((a, b) => a - b)

  for (const ws of sockets) ws.onclose = null
  for (const ws of sockets) ws.close()
  await child.stop()
  return {
    deliveriesPerSec,
    serverCpuPerUpdate,
    p50: latencies[Math.floor(latencies.length * 0.5)] ?? Number.NaN,
    p99: latencies[Math.floor(latencies.length * 0.99)] ?? Number.NaN,
    bytesPerConn: (rssAfter - rssBefore) / clients,
    dropped,
  }
}

if (values.serve) {
  await serve(values.serve)
} else {
  const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })
  const rounds = Number(values.rounds)
  const runs: { bare: Result[]; motia: Result[] } = { bare: [], motia: [] }
  for (let i = 0; i < rounds; i++) {
    const order = i % 2 === 0 ? (['motia', 'bare'] as const) : (['bare', 'motia'] as const)
    for (const kind of order) runs[kind].push(await measure(kind))
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
  const summary = (rs: Result[]): Result => ({
    deliveriesPerSec: med(rs.map((r) => r.deliveriesPerSec)),
    serverCpuPerUpdate: med(rs.map((r) => r.serverCpuPerUpdate)),
    p50: med(rs.map((r) => r.p50)),
    p99: med(rs.map((r) => r.p99)),
    bytesPerConn: med(rs.map((r) => r.bytesPerConn)),
    dropped: rs.reduce((n, r) => n + r.dropped, 0),
  })
  const bare = summary(runs.bare)
  const motia = summary(runs.motia)
  const c = Number(values.clients)
  console.log(
    `Streams fan-out: ${c} clients on one group, burst of ${values.updates} updates, then ${values.rate} updates/s for ${values.seconds}s (adapter ${values.adapter}), median of ${rounds} alternating rounds`,
  )
  for (const [name, r] of [
    ['motia streams', motia],
    ['bare Bun pub/sub', bare],
  ] as const) {
    console.log(
      `  ${name.padEnd(17)} ${fmt(r.deliveriesPerSec).padStart(11)} deliveries/s   server ${fmt(r.serverCpuPerUpdate)} µs CPU/update   latency p50 ${fmt(r.p50, 2)} ms  p99 ${fmt(r.p99, 2)} ms   ${fmt(r.bytesPerConn / 1024, 1)} KB RSS/idle connection${r.dropped ? `   ${r.dropped} dropped` : ''}`,
    )
  }
  console.log(
    `  ratio motia/bare: deliveries ${fmt(motia.deliveriesPerSec / bare.deliveriesPerSec, 3)}, server CPU per update ${fmt(motia.serverCpuPerUpdate / bare.serverCpuPerUpdate, 2)}`,
  )
}
