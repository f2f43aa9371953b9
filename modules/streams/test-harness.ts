import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type { CallOrigin } from '../../runtime/engine-client'
import type { LogRecord } from '../../runtime/logger'
import type { MotiaModule, RunMode } from '../../runtime/module'
import { createRuntime, type Runtime } from '../../runtime/runtime'
import { httpModule } from '../http/http-module'
import { queueModule } from '../queue/queue-module'
import type { BackgroundJob, BackgroundRunner } from '../queue/runner'
import { RUNNER_KEY } from '../queue/runner'
import { stateModule } from '../state/state-module'
import { storageModule } from '../storage/storage-module'
import { streamsModule } from './streams-module'

/** Test support for the streams module: a project in a temp dir, a runtime on port 0, clients. */

export interface StreamsTestRuntime extends AsyncDisposable {
  rt: Runtime
  dir: string
  /** `ws://127.0.0.1:<stream port>/` */
  url: string
  /** `ws://127.0.0.1:<api port>/` */
  apiUrl: string
  records: LogRecord[]
  jobs: BackgroundJob[]
  /** `ctx.streams`-level calls with raw engine results (set → { old_value, new_value }). */
  call(name: string, op: 'get' | 'set' | 'update' | 'delete' | 'getGroup' | 'send', ...args: unknown[]): Promise<any>
  stop(): Promise<void>
}

export interface ProjectOptions {
  files: Record<string, string>
  /** Extra top-level config.yaml text (ports and the db are set already). */
  config?: string
  mode?: RunMode
  /** Reuse a project dir (restart tests); it is not removed on stop. */
  dir?: string
  /** The real queue module (worker pool) instead of a runner that records jobs. */
  realQueue?: boolean
}

const ORIGIN: CallOrigin = { step: 'test', traceId: 'test-trace' }

export async function startProject(opts: ProjectOptions): Promise<StreamsTestRuntime> {
  const owned = opts.dir === undefined
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'motia-streams-'))
  const yaml = `http:\n  port: 0\nsqlite:\n  path: ${join(dir, '.motia', 'motia.db')}\n${opts.config ?? 'streams:\n  port: 0\n'}`
  writeFileSync(join(dir, 'config.yaml'), yaml)
  for (const [path, text] of Object.entries(opts.files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), text)
  }
  const records: LogRecord[] = []
  const jobs: BackgroundJob[] = []
  const runner: BackgroundRunner = {
    async run(job) {
      jobs.push(job)
      return { status: 'ok' }
    },
  }
  const queueStub: MotiaModule = { name: 'queue', setup: (rt) => void rt.shared.set(RUNNER_KEY, runner) }
  const rt = await createRuntime({
    dir,
    mode: opts.mode ?? 'dev',
    modules: () => [
      storageModule(),
      stateModule(),
      opts.realQueue ? queueModule() : queueStub,
      streamsModule(),
      httpModule(),
    ],
    env: {},
    logSinks: [(r) => records.push(r)],
  }).catch((err) => {
    if (owned) rmSync(dir, { recursive: true, force: true })
    throw err
  })
  const local = (u: string) => `ws://127.0.0.1:${new URL(u).port}/`
  const stop = async () => {
    await rt.stop()
    if (owned) rmSync(dir, { recursive: true, force: true })
  }
  return {
    rt,
    dir,
    url: local(rt.services.shared.get('streams.url') as string),
    apiUrl: local(rt.services.shared.get('http.url') as string),
    records,
    jobs,
    call: (name, op, ...args) => rt.engine.stream(name, op, args, ORIGIN) as Promise<any>,
    stop,
    [Symbol.asyncDispose]: stop,
  }
}

/** A stream client over a real socket that records every frame and lets a test await them. */
export class TestClient {
  readonly frames: any[] = []
  private waiters: { pred: (m: any) => boolean; resolve: (m: any) => void }[] = []
  private seq = 0
  readonly closed: Promise<{ code: number; reason: string }>

  private constructor(readonly ws: WebSocket) {
    ws.onmessage = (e) => {
      const m = JSON.parse(String(e.data))
      this.frames.push(m)
      this.waiters = this.waiters.filter((w) => {
        if (!w.pred(m)) return true
        w.resolve(m)
        return false
      })
    }
    this.closed = new Promise((resolve) => {
      ws.addEventListener('close', (e) => resolve({ code: e.code, reason: e.reason }))
    })
  }

  static connect(url: string, protocols?: string[]): Promise<TestClient> {
    const ws = new WebSocket(url, protocols)
    const client = new TestClient(ws)
    return new Promise((resolve, reject) => {
      ws.onopen = () => resolve(client)
      ws.onerror = () => reject(new Error(`could not connect to ${url}`))
    })
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame))
  }

  /** Sends a join and returns its subscription id. */
  join(streamName: string, groupId: string, id?: string): string {
    const subscriptionId = `sub-${++this.seq}`
    this.send({ type: 'join', data: { streamName, groupId, ...(id === undefined ? {} : { id }), subscriptionId } })
    return subscriptionId
  }

  leave(streamName: string, groupId: string, subscriptionId: string, id?: string): void {
    this.send({ type: 'leave', data: { streamName, groupId, ...(id === undefined ? {} : { id }), subscriptionId } })
  }

  /** The first frame (already received or coming) matching pred. */
  next(pred: (m: any) => boolean = () => true): Promise<any> {
    const seen = this.frames.find(pred)
    if (seen) return Promise.resolve(seen)
    return new Promise((resolve) => this.waiters.push({ pred, resolve }))
  }

  /** Waits for a sync of this stream/group (and item when given). */
  sync(streamName: string, groupId: string, id?: string): Promise<any> {
    return this.next(
      (m) => m.event?.type === 'sync' && m.streamName === streamName && m.groupId === groupId && m.id === id,
    )
  }

  /** Frames of stream/group received before the custom event `marker` (see `barrier`). */
  framesBefore(marker: string): any[] {
    const i = this.frames.findIndex((m) => m.event?.event?.type === marker)
    return i < 0 ? [...this.frames] : this.frames.slice(0, i)
  }

  close(): void {
    this.ws.close()
  }
}

/**
 * Everything published before this call has reached each client once it returns: frames to one
 * socket keep their order, so a marker event sent after the changes arrives after them.
 * Every client must hold a group subscription to `stream`/`group`.
 */
export async function barrier(
  t: StreamsTestRuntime,
  clients: TestClient[],
  stream: string,
  group: string,
  marker: string,
) {
  await t.call(stream, 'send', { groupId: group }, { type: marker })
  await Promise.all(clients.map((c) => c.next((m) => m.event?.event?.type === marker)))
}

/** A raw TCP WebSocket handshake; the socket is returned with the response head. */
export async function rawUpgrade(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; head: string; socket: net.Socket }> {
  const u = new URL(url)
  const socket = net.connect(Number(u.port), u.hostname)
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  const lines = [
    `GET ${u.pathname}${u.search} HTTP/1.1`,
    `Host: ${u.host}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version: 13',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ]
  socket.write(`${lines.join('\r\n')}\r\n\r\n`)
  const head = await new Promise<string>((resolve) => {
    let buf = ''
    const onData = (d: Buffer) => {
      buf += d.toString('latin1')
      const end = buf.indexOf('\r\n\r\n')
      if (end < 0) return
      socket.off('data', onData)
      resolve(buf.slice(0, end))
    }
    socket.on('data', onData)
  })
  return { status: Number(head.split(' ')[1]), head, socket }
}

/** A masked client text frame (RFC 6455 §5.2), for raw sockets. */
export function clientTextFrame(text: string): Buffer {
  const payload = Buffer.from(text)
  const mask = Buffer.from([1, 2, 3, 4])
  const len = payload.length
  const header =
    len < 126 ? Buffer.from([0x81, 0x80 | len]) : Buffer.from([0x81, 0x80 | 126, (len >> 8) & 0xff, len & 0xff])
  const body = Buffer.alloc(len)
  for (let i = 0; i < len; i++) body[i] = payload[i]! ^ mask[i % 4]!
  return Buffer.concat([header, mask, body])
}
