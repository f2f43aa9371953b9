import type { ServerWebSocket } from 'bun'
import type { StepContext } from '../../runtime/context'
import { runInExecution } from '../../runtime/execution'
import type { StructuredLogger } from '../../runtime/logger'
import type { StreamDefinition } from '../../runtime/step'
import type { StreamSubscription } from '../../sdk/types'
import type { RuntimeMetrics } from '../observability/metrics/runtime-metrics'
import type { StreamAdapter } from './adapter'
import { MAX_PENDING_MESSAGES, type StreamLimits, subscriptionBytes } from './limits'
import {
  type ClientMessage,
  type Clock,
  encodeMessage,
  errorFrame,
  ProtocolError,
  parseClientMessage,
  type ServerEvent,
  type Subscription,
  topicOf,
} from './protocol'
import { groupSyncFrame } from './sync-frame'

export interface SocketData {
  conn: Connection
}

/**
 * One client socket: its auth context and open subscriptions. Messages are handled strictly in
 * arrival order (a `leave` right after a `join` applies after it), one at a time.
 */
export class Connection {
  /** subscriptionId → subscription. */
  readonly subs = new Map<string, Subscription>()
  /** UTF-8 bytes of the names of `subs`, against `maxSubscriptionBytes`. */
  subsBytes = 0
  /** topic → number of this socket's subscriptions on it (two joins of one room, one Bun subscription). */
  private readonly topics = new Map<string, number>()
  private chain: Promise<void> = Promise.resolve()
  pending = 0
  closed = false
  ws?: ServerWebSocket<SocketData>

  constructor(
    readonly authContext: unknown,
    readonly addr: string,
  ) {}

  send(frame: string): void {
    if (!this.closed) this.ws?.send(frame)
  }

  enqueue(task: () => Promise<void>): void {
    this.pending++
    this.chain = this.chain.then(task).finally(() => {
      this.pending--
    })
  }

  addTopic(topic: string): void {
    const n = this.topics.get(topic) ?? 0
    this.topics.set(topic, n + 1)
    if (n === 0) this.ws?.subscribe(topic)
  }

  removeTopic(topic: string): void {
    const n = this.topics.get(topic) ?? 0
    if (n <= 1) {
      this.topics.delete(topic)
      if (!this.closed && n === 1) this.ws?.unsubscribe(topic)
    } else this.topics.set(topic, n - 1)
  }
}

export interface RoomsEnv {
  adapter: StreamAdapter
  clock: Clock
  log: StructuredLogger
  stream(name: string): StreamDefinition | undefined
  /** A ctx for a stream's onJoin / onLeave hooks. */
  hookContext(stream: StreamDefinition, subscription: StreamSubscription): StepContext
  /** True while the runtime shuts down: sockets closing then are not "leaving". */
  stopping(): boolean
  limits: StreamLimits
  /** The runtime's metrics, when on: joins and leaves are counted per stream. */
  metrics?(): RuntimeMetrics | undefined
}

/**
 * Joins, leaves and closes: authorisation (0.x `canAccess`, 1.x `onJoin`), Bun topic
 * subscriptions, the `sync` reply. Delivery of changes is Bun pub/sub (`publisher.ts`).
 */
export class Rooms {
  /** Streams whose group sync was truncated once already: one warning each, not one per join. */
  private readonly truncatedWarned = new Set<string>()

  constructor(private readonly env: RoomsEnv) {}

  /** A frame from the client: checked at once, then handled in order after earlier ones. */
  receive(conn: Connection, raw: string | Buffer): void {
    let msg: ClientMessage
    try {
      msg = parseClientMessage(raw, this.env.limits.maxIdLength)
    } catch (err) {
      const e = err as ProtocolError
      conn.send(errorFrame(e.code, e.message))
      return
    }
    if (conn.pending >= MAX_PENDING_MESSAGES) {
      conn.ws?.close(1008, 'too many pending messages')
      return
    }
    conn.enqueue(() =>
      (msg.type === 'join' ? this.join(conn, msg.data) : this.leave(conn, msg.data.subscriptionId)).catch((err) => {
        if (err instanceof ProtocolError) conn.send(errorFrame(err.code, err.message, msg.data.subscriptionId))
        else {
          this.env.log.error(`streams: ${msg.type} failed`, { error: err, ...msg.data })
          conn.send(errorFrame('STREAM_JOIN_FAILED', 'the server could not complete the join', msg.data.subscriptionId))
        }
      }),
    )
  }

  async join(conn: Connection, sub: Subscription): Promise<void> {
    const def = this.env.stream(sub.streamName)
    // The names of other streams are not listed: the client may not be authenticated.
    if (!def) throw new ProtocolError('STREAM_NOT_FOUND', `no stream named "${sub.streamName}"`)
    if (conn.subs.has(sub.subscriptionId)) await this.leave(conn, sub.subscriptionId)
    const { maxSubscriptions, maxSubscriptionBytes } = this.env.limits
    if (conn.subs.size >= maxSubscriptions) {
      throw new ProtocolError(
        'STREAM_TOO_MANY_SUBSCRIPTIONS',
        `a socket may hold at most ${maxSubscriptions} subscriptions (streams.maxSubscriptions)`,
      )
    }
    const bytes = subscriptionBytes(sub)
    if (conn.subsBytes + bytes > maxSubscriptionBytes) {
      throw new ProtocolError(
        'STREAM_TOO_MANY_SUBSCRIPTIONS',
        `the subscriptions of a socket may hold at most ${maxSubscriptionBytes} bytes of names and ids (streams.maxSubscriptionBytes)`,
      )
    }
    const subscription = publicSubscription(sub)
    if (def.config.canAccess && !(await this.canAccess(def, subscription, conn))) return
    if (def.config.onJoin && !(await this.onJoin(def, subscription, conn))) return
    if (conn.closed) {
      await this.onLeave(def, subscription, conn)
      return
    }
    const topic = topicOf(sub)
    conn.subs.set(sub.subscriptionId, sub)
    conn.subsBytes += bytes
    conn.addTopic(topic)
    // The timestamp is taken before the read: a change committed after the read is published
    // with a later timestamp, so the client never lets this snapshot overwrite it.
    const timestamp = this.env.clock.next()
    try {
      await (sub.id === undefined ? this.syncGroup(conn, sub, timestamp) : this.syncItem(conn, sub, sub.id, timestamp))
      this.subscribed(sub.streamName, 1)
    } catch (err) {
      conn.subs.delete(sub.subscriptionId)
      conn.subsBytes -= bytes
      conn.removeTopic(topic)
      throw err
    }
  }

  private subscribed(stream: string, n: number): void {
    const m = this.env.metrics?.()
    m?.count(m.streamSubscriptions, { 'motia.stream.name': stream }, stream, n)
  }

  async leave(conn: Connection, subscriptionId: string): Promise<void> {
    const sub = conn.subs.get(subscriptionId)
    if (!sub) return
    conn.subs.delete(subscriptionId)
    this.subscribed(sub.streamName, -1)
    conn.subsBytes -= subscriptionBytes(sub)
    conn.removeTopic(topicOf(sub))
    const def = this.env.stream(sub.streamName)
    if (def) await this.onLeave(def, publicSubscription(sub), conn)
  }

  /** The socket closed: every open subscription leaves (its onLeave runs), unless shutting down. */
  close(conn: Connection): void {
    conn.closed = true
    for (const sub of conn.subs.values()) this.subscribed(sub.streamName, -1)
    if (this.env.stopping()) return
    conn.enqueue(async () => {
      for (const sub of conn.subs.values()) {
        const def = this.env.stream(sub.streamName)
        if (def) await this.onLeave(def, publicSubscription(sub), conn)
      }
      conn.subs.clear()
      conn.subsBytes = 0
    })
  }

  private async syncItem(conn: Connection, sub: Subscription, id: string, timestamp: number): Promise<void> {
    const item = await this.env.adapter.get(sub.streamName, sub.groupId, id)
    this.reply(conn, sub, { type: 'sync', data: item }, timestamp)
  }

  /** A group's items, bounded by `maxSyncItems` / `maxSyncBytes` (the newest that fit). */
  private async syncGroup(conn: Connection, sub: Subscription, timestamp: number): Promise<void> {
    const items = await this.env.adapter.getGroup(sub.streamName, sub.groupId)
    const sync = groupSyncFrame({ streamName: sub.streamName, groupId: sub.groupId, timestamp }, items, this.env.limits)
    conn.send(sync.frame)
    if (sync.truncated && !this.truncatedWarned.has(sub.streamName)) {
      this.truncatedWarned.add(sub.streamName)
      this.env.log.warn(
        `streams: a group sync of stream "${sub.streamName}" was truncated to its newest ${sync.sent} of ${items.length} items (streams.maxSyncItems / streams.maxSyncBytes); warned once per stream`,
        { streamName: sub.streamName, groupId: sub.groupId },
      )
    }
  }

  private reply(conn: Connection, sub: Subscription, event: ServerEvent, timestamp = this.env.clock.next()): void {
    const msg =
      sub.id === undefined
        ? { streamName: sub.streamName, groupId: sub.groupId, timestamp, event }
        : { streamName: sub.streamName, groupId: sub.groupId, id: sub.id, timestamp, event }
    conn.send(encodeMessage(msg))
  }

  /** 0.x: `canAccess(subscription, authContext)`; false or a throw → STREAM_ACCESS_DENIED to this socket. */
  private async canAccess(def: StreamDefinition, subscription: StreamSubscription, conn: Connection): Promise<boolean> {
    let message = 'Access denied'
    try {
      if (await def.config.canAccess!(subscription, conn.authContext)) return true
    } catch (err) {
      message = err instanceof Error ? err.message : String(err)
      this.env.log.warn(`streams: canAccess of stream "${def.name}" threw`, { error: err, file: def.relFile })
    }
    this.reply(
      conn,
      { ...subscription, streamName: def.name, subscriptionId: '' },
      {
        type: 'event',
        event: { type: 'error', data: { code: 'STREAM_ACCESS_DENIED', message } },
      },
    )
    return false
  }

  /** 1.x: `onJoin(subscription, ctx, authContext)`; `{ unauthorized: true }` or a throw → `unauthorized`. */
  private async onJoin(def: StreamDefinition, subscription: StreamSubscription, conn: Connection): Promise<boolean> {
    let allowed = false
    try {
      const ctx = this.env.hookContext(def, subscription)
      const r = await runInExecution(ctx, () => def.config.onJoin!(subscription, ctx, conn.authContext))
      allowed = !r?.unauthorized
    } catch (err) {
      this.env.log.warn(`streams: onJoin of stream "${def.name}" threw; the join is refused`, {
        error: err,
        file: def.relFile,
      })
    }
    if (!allowed)
      this.reply(conn, { ...subscription, streamName: def.name, subscriptionId: '' }, { type: 'unauthorized' })
    return allowed
  }

  private async onLeave(def: StreamDefinition, subscription: StreamSubscription, conn: Connection): Promise<void> {
    if (!def.config.onLeave) return
    try {
      const ctx = this.env.hookContext(def, subscription)
      await runInExecution(ctx, () => def.config.onLeave!(subscription, ctx, conn.authContext))
    } catch (err) {
      this.env.log.warn(`streams: onLeave of stream "${def.name}" threw`, { error: err, file: def.relFile })
    }
  }
}

function publicSubscription(sub: Subscription): StreamSubscription {
  return sub.id === undefined ? { groupId: sub.groupId } : { groupId: sub.groupId, id: sub.id }
}
