import type { Server, ServerWebSocket } from 'bun'
import type { Channel, ChannelManager } from './channels'
import type { IiiEngine } from './iii-engine'
import { type Message, type MessageOf, parseMessage } from './protocol'
import type { IiiQueues } from './queues'
import { ingestTelemetry, type TelemetrySinks } from './telemetry'
import { InvocationError, WorkerConnection } from './worker-connection'

export interface WorkerServerOptions {
  port: number
  host: string
  /** When set, a worker must send it (`Authorization: Bearer <token>` or `?token=`). */
  token?: string
  /** Largest frame accepted, in bytes; a bigger one closes the connection (1009). */
  maxMessageBytes: number
}

interface SocketData {
  worker?: WorkerConnection
  /** A data channel end (`/ws/channels/<id>`), not a worker. */
  channel?: { channel: Channel; dir: 'read' | 'write' }
  ip: string
  /** An OTel export connection: the cumulative sums it sent last (telemetry.ts). */
  totals?: Map<string, number>
}

/**
 * The worker port: iii SDK workers connect over a WebSocket and speak iii's protocol
 * (protocol.ts). A bad frame is answered where it can be (an InvocationResult with the error
 * for an invocation, a log line otherwise) and the connection keeps serving; only an oversized
 * frame closes it.
 */
export class WorkerServer {
  private server?: Server<SocketData>

  constructor(
    private readonly iii: IiiEngine,
    private readonly queues: IiiQueues,
    private readonly channels: ChannelManager,
    private readonly opts: WorkerServerOptions,
    private readonly warn: (msg: string, fields?: Record<string, unknown>) => void,
    /** Where the SDKs' OTel exports go (none: dropped). */
    private readonly telemetry?: TelemetrySinks,
  ) {}

  get url(): string | undefined {
    return this.server ? `ws://${this.server.hostname}:${this.server.port}` : undefined
  }

  get port(): number | undefined {
    return this.server?.port
  }

  start(): void {
    const token = this.opts.token
    this.server = Bun.serve<SocketData>({
      port: this.opts.port,
      hostname: this.opts.host,
      development: false,
      fetch: (request, server) => {
        const url = new URL(request.url)
        const channelPath = /^\/ws\/channels\/([^/]+)$/.exec(url.pathname)
        if (channelPath) {
          // A channel end authenticates with its access key, not the worker token.
          const dir = url.searchParams.get('dir')
          const channel = this.channels.take(channelPath[1]!, url.searchParams.get('key'), dir)
          if (!channel)
            return new Response('iii channel: unknown channel, wrong key, or that end is taken', { status: 404 })
          const data: SocketData = { channel: { channel, dir: dir as 'read' | 'write' }, ip: '' }
          if (server.upgrade(request, { data })) return undefined
          return new Response('iii worker port: expected a WebSocket upgrade', { status: 426 })
        }
        if (token !== undefined) {
          const given =
            request.headers.get('authorization')?.replace(/^Bearer\s+/i, '') ?? url.searchParams.get('token')
          if (given !== token) return new Response('iii worker port: missing or wrong token', { status: 401 })
        }
        const ip = server.requestIP(request)?.address ?? ''
        if (server.upgrade(request, { data: { ip } })) return undefined
        return new Response('iii worker port: expected a WebSocket upgrade', { status: 426 })
      },
      websocket: {
        maxPayloadLength: this.opts.maxMessageBytes,
        idleTimeout: 0,
        sendPings: true,
        open: (ws) => {
          const end = ws.data.channel
          if (end) {
            if (end.dir === 'read') {
              end.channel.attachReader({
                item: (i) => ws.send(i),
                end: () => {
                  ws.close(1000, 'channel_closed')
                  this.channels.remove(end.channel.id)
                },
              })
            }
            return
          }
          const worker = new WorkerConnection(crypto.randomUUID(), ws, ws.data.ip)
          ws.data.worker = worker
          this.iii.attach(worker)
          worker.send({ type: 'workerregistered', worker_id: worker.id })
        },
        message: (ws, data) => {
          const end = ws.data.channel
          if (end) {
            if (end.dir === 'write' && !end.channel.write(typeof data === 'string' ? data : new Uint8Array(data))) {
              ws.close(1009, 'channel buffer full: nobody reads it')
            }
            return
          }
          const worker = ws.data.worker
          if (!worker) return
          if (isTelemetry(data)) {
            // The SDKs' OTel exporters share the worker URL (frames prefixed OTLP / MTRC / LOGS):
            // that connection is not a worker. Its spans, logs and metrics join motia's.
            if (this.iii.workers.has(worker.id)) this.iii.detach(worker)
            if (this.telemetry) {
              ws.data.totals ??= new Map()
              ingestTelemetry(data, this.telemetry, ws.data.totals)
            }
            return
          }
          const text = typeof data === 'string' ? data : new TextDecoder().decode(data)
          const m = parseMessage(text)
          if (typeof m === 'string') {
            this.refuse(ws, worker, text, m)
            return
          }
          this.handle(worker, m)
        },
        close: (ws, code, reason) => {
          const end = ws.data.channel
          if (end) {
            if (end.dir === 'write') end.channel.end()
            return
          }
          const worker = ws.data.worker
          if (!worker) return
          if (code === 1009) this.warn(`iii worker ${worker.id} sent a frame over ${this.opts.maxMessageBytes} bytes`)
          this.iii.detach(worker)
          void reason
        },
      },
    })
  }

  /** A frame that is not a message: an invocation is answered with the error, anything else logged. */
  private refuse(_ws: ServerWebSocket<SocketData>, worker: WorkerConnection, text: string, why: string): void {
    let invocationId: unknown
    try {
      const v = JSON.parse(text) as Record<string, unknown>
      if (v?.type === 'invokefunction') invocationId = v.invocation_id
    } catch {
      // not JSON: nothing to answer to
    }
    if (typeof invocationId === 'string') {
      worker.send({
        type: 'invocationresult',
        invocation_id: invocationId,
        function_id: '',
        error: { code: 'invalid_message', message: why },
      })
    }
    this.warn(`iii worker ${worker.id}: bad frame refused: ${why}`)
  }

  private handle(worker: WorkerConnection, m: Message): void {
    switch (m.type) {
      case 'ping':
        worker.send({ type: 'pong' })
        return
      case 'pong':
      case 'workerregistered':
        return
      case 'registerfunction':
        try {
          this.iii.registerFunction(m, worker)
        } catch (err) {
          this.warn(`iii worker ${worker.id}: ${(err as Error).message}`)
        }
        return
      case 'unregisterfunction':
        this.iii.unregisterFunction(m.id, worker)
        return
      case 'registertrigger': {
        const error = this.iii.registerTrigger({
          id: m.id,
          trigger_type: m.trigger_type,
          function_id: m.function_id,
          config: m.config,
          owner: worker,
        })
        if (error) {
          this.warn(`iii worker ${worker.id}: trigger ${m.id} (${m.trigger_type}) refused: ${error.message}`)
          worker.send({
            type: 'triggerregistrationresult',
            id: m.id,
            trigger_type: m.trigger_type,
            function_id: m.function_id,
            error,
          })
        }
        return
      }
      case 'unregistertrigger':
        if (worker.triggers.has(m.id)) this.iii.unregisterTrigger(m.id)
        return
      case 'triggerregistrationresult':
        if (m.error) this.warn(`iii trigger ${m.id} (${m.trigger_type}) refused by its worker: ${m.error.message}`)
        return
      case 'registertriggertype':
        try {
          this.iii.registerTriggerType(m, worker)
        } catch (err) {
          this.warn(`iii worker ${worker.id}: ${(err as Error).message}`)
        }
        return
      case 'unregistertriggertype':
        this.iii.unregisterTriggerType(m.id, worker)
        return
      case 'registerservice':
        this.iii.services.set(m.id, m)
        return
      case 'invocationresult':
        if (!worker.settle(m.invocation_id, m.result, m.error)) {
          this.warn(`iii worker ${worker.id}: result for unknown or expired invocation ${m.invocation_id}`)
        }
        return
      case 'invokefunction':
        void this.invoke(worker, m)
        return
    }
  }

  private async invoke(worker: WorkerConnection, m: MessageOf<'invokefunction'>): Promise<void> {
    const call = {
      worker,
      ...(m.traceparent ? { traceparent: m.traceparent } : {}),
      ...(m.baggage ? { baggage: m.baggage } : {}),
    }
    const answer = (body: { result?: unknown; error?: MessageOf<'invocationresult'>['error'] }) => {
      if (typeof m.invocation_id !== 'string') return
      worker.send({ type: 'invocationresult', invocation_id: m.invocation_id, function_id: m.function_id, ...body })
    }
    if (m.action?.type === 'enqueue') {
      if (!this.iii.functions.has(m.function_id)) {
        answer({ error: { code: 'function_not_found', message: `Function ${m.function_id} not found` } })
        return
      }
      try {
        answer({ result: await this.queues.enqueue(m.action.queue, m.function_id, m.data, m.traceparent) })
      } catch (err) {
        answer({ error: { code: 'enqueue_failed', message: (err as Error)?.message ?? String(err) } })
      }
      return
    }
    try {
      const result = await this.iii.invoke(m.function_id, m.data, call)
      answer(result === undefined ? {} : { result })
    } catch (err) {
      answer({
        error: err instanceof InvocationError ? err.body : { code: 'invocation_failed', message: String(err) },
      })
    }
  }

  async stop(): Promise<void> {
    for (const w of [...this.iii.workers.values()]) {
      w.close(1001, 'engine shutting down')
      this.iii.detach(w)
    }
    await this.server?.stop(true)
    this.server = undefined
  }
}

const TELEMETRY_PREFIXES = ['OTLP', 'MTRC', 'LOGS']

function isTelemetry(data: string | Buffer): boolean {
  const head = typeof data === 'string' ? data.slice(0, 4) : data.subarray(0, 4).toString('latin1')
  return TELEMETRY_PREFIXES.includes(head)
}
