import type { Connection } from 'rabbitmq-client'
import { rabbitLabel } from '../../../runtime/config/rabbitmq-label'
import { embeddedEntry } from '../../../runtime/embedded-entries'
import { MotiaError } from '../../../runtime/errors'

export { rabbitLabel }

/** What the RabbitMQ queue is given: `rabbitmq` in config.yaml. */
export interface RabbitTarget {
  /** amqp:// or amqps:// (credentials, vhost and query options as RabbitMQ's URI spec). */
  url: string
  /** Every exchange and queue the adapter declares starts with `<prefix>.`. */
  prefix: string
  /** Subscription queues: classic (default) or quorum (replicated). */
  queueType: 'classic' | 'quorum'
}

const CONNECT_TIMEOUT_MS = 5000

declare const MOTIA_SPLIT_ENTRIES: boolean | undefined

/** The AMQP client, loaded on first use; an entrypoint apart in a compiled binary (as `redisLibraries`). */
function rabbitmqLibrary(): Promise<typeof import('./rabbitmq-library')> {
  return typeof MOTIA_SPLIT_ENTRIES === 'boolean'
    ? import(embeddedEntry('modules/queue/adapters/rabbitmq-library'))
    : import('./rabbitmq-library')
}

export function rabbitUnavailable(url: string, err: unknown, doing = 'lost the connection'): MotiaError {
  const reason = err instanceof Error ? err.message : String(err ?? 'not connected')
  return new MotiaError('E_RABBITMQ_UNAVAILABLE', `RabbitMQ at ${rabbitLabel(url)}: ${doing}: ${reason}`, {
    cause: err,
  })
}

/**
 * A connected client, or one clear error naming the URL (without its password): start-up refuses
 * to run without the broker rather than starting "ready" and failing every enqueue. Once
 * connected, the client reconnects by itself (100 ms doubling to 5 s) and its consumers and
 * publishers re-declare what they need on the new connection.
 */
export async function connectRabbit(url: string, name: string): Promise<Connection> {
  const conn = new (await rabbitmqLibrary()).Connection({
    url,
    connectionName: name,
    connectionTimeout: CONNECT_TIMEOUT_MS,
    retryLow: 100,
    retryHigh: 5000,
    // Acks and publishes made in one turn leave in one write.
    noDelay: true,
  })
  let first: unknown
  const failed = new Promise<never>((_, reject) => {
    conn.once('error', (err) => {
      first = err
      reject(err)
    })
  })
  try {
    await Promise.race([conn.onConnect(CONNECT_TIMEOUT_MS, true), failed])
  } catch (err) {
    conn.unsafeDestroy()
    throw rabbitUnavailable(url, first ?? err, 'cannot connect')
  }
  failed.catch(() => {})
  return conn
}

/** Connection trouble, not an answer from the broker (NOT_FOUND, PRECONDITION_FAILED, a NACK). */
export function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false
  if (err.name === 'AMQPConnectionError') return true
  const code = (err as { code?: string }).code
  return code === undefined || ['CLOSED', 'RPC_CLOSED', 'TIMEOUT'].includes(code) || /^E[A-Z]+$/.test(code)
}

/**
 * Holds a connection's socket corked so that many frames leave in one write: the client writes
 * each frame (a publish's three, an ack) on its own, a system call and a wake-up of the broker
 * each. Corking changes only how the bytes are written, not their order.
 */
export class SocketCork {
  /** Corked until the end of this event-loop turn (`untilTurnEnds`). */
  corked = false

  constructor(private readonly conn: Connection) {}

  /** Corks until this turn's setImmediate phase (a burst of publishes made in one turn). */
  untilTurnEnds(): void {
    if (this.corked) return
    const socket = this.socket()
    if (!socket) return
    socket.cork()
    this.corked = true
    setImmediate(() => {
      this.corked = false
      socket.uncork()
    })
  }

  /** Runs `fn` with the socket corked, and writes what it wrote at once. */
  around(fn: () => void): void {
    const socket = this.corked ? undefined : this.socket()
    socket?.cork()
    try {
      fn()
    } finally {
      socket?.uncork()
    }
  }

  private socket(): { cork(): void; uncork(): void } | undefined {
    const socket = (this.conn as unknown as { _socket?: { cork?(): void; uncork(): void; destroyed?: boolean } })
      ._socket
    return typeof socket?.cork === 'function' && !socket.destroyed
      ? (socket as { cork(): void; uncork(): void })
      : undefined
  }
}

type ReadableSocket = { read(n?: number): unknown; destroyed?: boolean }

/**
 * Runs `read` once the consumer callbacks of what one socket read brought have run. The client
 * decodes its socket frame by frame (`socket.read(n)`) and calls a consumer back in a
 * setImmediate per delivery, so the dozen deliveries of one read under load each run in their
 * own immediate, a microtask between each: work queued as a microtask by the first (a claim)
 * runs before the second arrives. The client's reader asks the socket for more than it holds
 * (`read` gives null) once it has decoded all it holds, every callback queued: an immediate
 * queued then runs after them, in the same check phase.
 */
export class SocketReads {
  /** An immediate is queued that runs after the callbacks of what was decoded so far. */
  pending = false
  private readonly watched = new WeakSet<ReadableSocket>()

  constructor(
    private readonly conn: Connection,
    private readonly read: () => void,
  ) {}

  /** Watches the connection's socket (a reconnection brings another); false if there is none. */
  watch(): boolean {
    const socket = (this.conn as unknown as { _socket?: ReadableSocket })._socket
    if (typeof socket?.read !== 'function' || socket.destroyed) return false
    if (this.watched.has(socket)) return true
    this.watched.add(socket)
    const read = socket.read
    socket.read = (n?: number) => {
      const got = read.call(socket, n)
      // `n`: the client's own reads (the stream's internals read 0 bytes).
      if (got === null && n && !this.pending) {
        this.pending = true
        setImmediate(() => {
          this.pending = false
          this.read()
        })
      }
      return got
    }
    return true
  }
}

interface ConnectionEvents {
  /** The adapter is closed: nothing to report. */
  closed(): boolean
  /** One connection is up again: whether all of them are. */
  reconnected(c: Connection): boolean
  /** Every connection is up again (consumers restart). */
  back(): void
}

/** A lost connection is logged once per episode, and its return once every connection is back. */
export function watchConnections(
  conns: readonly Connection[],
  url: string,
  log: { warn(msg: string): void; info(msg: string): void } | undefined,
  on: ConnectionEvents,
): void {
  let down = false
  for (const c of new Set(conns)) {
    c.on('error', (err: Error) => {
      if (on.closed() || down || !isConnectionError(err)) return
      down = true
      log?.warn(`queue: RabbitMQ at ${rabbitLabel(url)}: connection lost (${err.message}); reconnecting`)
    })
    c.on('connection', () => {
      if (!on.reconnected(c)) return
      if (down) log?.info(`queue: RabbitMQ at ${rabbitLabel(url)}: connected again`)
      down = false
      on.back()
    })
  }
}
