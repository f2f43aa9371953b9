import type { Connection } from 'rabbitmq-client'
import type { SerializedError } from '../../../runtime/errors'
import { MotiaError } from '../../../runtime/errors'
import type {
  DeadLetter,
  DeadLetterFilter,
  EnqueueRequest,
  Failure,
  QueueAdapter,
  QueueMessage,
  Subscription,
  SubscriptionStats,
} from '../adapter'
import { backoffMs } from '../retry-policy'
import { Arrivals } from './rabbitmq-arrivals'
import {
  connectRabbit,
  isConnectionError,
  type RabbitTarget,
  rabbitLabel,
  rabbitUnavailable,
  watchConnections,
} from './rabbitmq-connection'
import { Consumers } from './rabbitmq-consumers'
import { DeadLetterStore, deadLetterId } from './rabbitmq-dead-letters'
import { Topology } from './rabbitmq-declare'
import { type Delivery, fifoReady, prefetchOf, type SubQueue, toMessage } from './rabbitmq-delivery'
import { firstCopy, Outbox } from './rabbitmq-publish'
import { H, RabbitNames } from './rabbitmq-topology'

export interface RabbitOptions {
  now?: () => number
  /** Start consumers (false: `motia queue`, which only inspects). */
  consume?: boolean
  /** Track every copy published until it comes back (tests: see Arrivals). */
  trackArrivals?: boolean
  /** Connection lost / back, once per episode. */
  log?: { warn(msg: string): void; info(msg: string): void }
}

/**
 * `queue.adapter: rabbitmq`. Topology in rabbitmq-topology.ts, consumers and their deliveries in
 * rabbitmq-consumers.ts. Messages are pushed to one consumer per subscription (prefetch: see
 * rabbitmq-delivery.ts) and kept unacked in this process until
 * the handler's outcome: ack → basic.ack; retry → republished (publisher confirm) to a TTL'd
 * delay queue with `x-attempt` + 1, then acked; dead → republished to the subscription's DLQ
 * with the error, reason and attempts, then acked. A process that dies has its unacked messages
 * redelivered by the broker. FIFO: the queue has single-active-consumer and groups are gated in
 * this process (one in flight per group, in order; a retry waits here, unacked, so its group
 * stays blocked).
 */
export class RabbitQueueAdapter implements QueueAdapter {
  readonly kind = 'rabbitmq'
  readonly localClaims = true
  private readonly subs = new Map<string, SubQueue>()
  private readonly byTopic = new Map<string, SubQueue[]>()
  private readonly listeners = new Set<(subscription: string) => void>()
  private readonly names: RabbitNames
  private readonly arrivals: Arrivals
  private readonly topology: Topology
  private readonly dead: DeadLetterStore
  private readonly out: Outbox
  private readonly consumers: Consumers
  private readonly now: () => number
  private closed = false
  /** By message id: the subscriptions whose copy is neither delivered here nor confirmed yet. */
  private readonly announcing = new Map<string, SubQueue[]>()
  private readonly origin = crypto.randomUUID()
  private sent = 0

  /**
   * Publishing and consuming get a connection each, as RabbitMQ advises: flow control that
   * slows a busy publisher then never holds back the consumers' deliveries and acks.
   */
  static async connect(target: RabbitTarget, options: RabbitOptions = {}): Promise<RabbitQueueAdapter> {
    const conn = await connectRabbit(target.url, 'motia:queue:publish')
    if (options.consume === false) return new RabbitQueueAdapter(conn, conn, target, options)
    try {
      return new RabbitQueueAdapter(conn, await connectRabbit(target.url, 'motia:queue:consume'), target, options)
    } catch (err) {
      conn.unsafeDestroy()
      throw err
    }
  }

  constructor(
    private readonly conn: Connection,
    private readonly consumerConn: Connection,
    private readonly target: RabbitTarget,
    private readonly options: RabbitOptions = {},
  ) {
    this.now = options.now ?? Date.now
    this.names = new RabbitNames(target)
    this.arrivals = new Arrivals(this.now, options.trackArrivals ?? false)
    this.topology = new Topology(conn, target, this.names)
    this.out = new Outbox(conn, target, this.names, this.topology, this.arrivals, this.now)
    this.dead = new DeadLetterStore(conn, this.names, (env, body) => this.out.send(env, body))
    this.consumers = new Consumers(consumerConn, this.out, this.topology, {
      current: (q) => !this.closed && this.subs.get(q.sub.id) === q,
      arrived: (q, messageId, attempt) => {
        this.arrivals.arrived(q.sub.id, messageId, attempt)
        const waiting = this.announcing.size > 0 ? this.announcing.get(messageId) : undefined
        const i = waiting ? waiting.indexOf(q) : -1
        if (i >= 0) waiting!.splice(i, 1)
      },
      notify: (sub) => this.notify(sub),
      warn: (msg) => options.log?.warn(msg),
      exhausted: async (d, deaths) => {
        // Its lease is not running: a failed dead-lettering leaves it unacked, the broker's again
        // when this consumer goes (and counted once more).
        const reason = `its process died ${deaths} time(s) while holding it (redelivered); no retries left`
        await this.toDead(d, reason, null).catch((err) =>
          options.log?.warn(`queue: dead-lettering ${d.id} failed: ${(err as Error).message}`),
        )
        this.notify(d.q.sub.id)
      },
    })
    watchConnections([conn, consumerConn], target.url, options.log, {
      closed: () => this.closed,
      reconnected: (c) => {
        if (c === conn) this.topology.reset()
        return this.conn.ready && this.consumerConn.ready
      },
      back: () => {
        for (const q of this.subs.values()) if (!q.ch) void this.consumers.start(q)
      },
    })
  }

  async setSubscriptions(subs: readonly Subscription[]): Promise<void> {
    const keep = new Set(subs.map((s) => s.id))
    for (const [id, q] of this.subs) {
      if (!keep.has(id)) {
        this.subs.delete(id)
        await this.consumers.stop(q)
      }
    }
    await this.call(() => this.topology.declare(subs))
    for (const sub of subs) {
      const existing = this.subs.get(sub.id)
      if (existing && JSON.stringify(existing.sub.config) === JSON.stringify(sub.config)) {
        existing.sub = sub
        continue
      }
      if (existing) await this.consumers.stop(existing)
      const q: SubQueue = {
        sub,
        queue: this.names.queue(sub.id),
        fifo: sub.config.type === 'fifo',
        ids: deadLetterId(sub.id, ''),
        bound: this.topology.bound(sub),
        buffer: [],
      }
      this.subs.set(sub.id, q)
      if (this.options.consume !== false) await this.consumers.start(q)
    }
    this.byTopic.clear()
    for (const q of this.subs.values()) {
      const list = this.byTopic.get(q.sub.topic) ?? []
      list.push(q)
      this.byTopic.set(q.sub.topic, list)
    }
  }

  /** Every subscription the last instance registered (for `motia queue`). */
  knownSubscriptions(): Promise<Subscription[]> {
    return this.call(() => this.topology.registered())
  }

  async enqueue(req: EnqueueRequest): Promise<string[]> {
    const targets = this.byTopic.get(req.topic) ?? []
    if (targets.length === 0) return []
    const now = this.now()
    // Unique across instances without drawing random bytes per message: this adapter's own id and a counter.
    const messageId =
      req.idempotencyKey !== undefined ? `k-${req.idempotencyKey}` : `${this.origin}-${(this.sent++).toString(36)}`
    const { env, body } = firstCopy(req, messageId, now)
    // Each copy is announced once: when it is delivered here, or (delivered elsewhere or not
    // yet) once the broker confirmed it. A delivery need not wait for the confirm.
    const waiting = [...targets]
    this.announcing.set(messageId, waiting)
    try {
      await this.out.firstCopies(req, targets, messageId, env, body, now)
    } catch (err) {
      throw this.unavailable(err)
    } finally {
      if (this.announcing.get(messageId) === waiting) this.announcing.delete(messageId)
    }
    for (const q of waiting) this.notify(q.sub.id)
    return targets.map((q) => q.ids + messageId)
  }

  async claim(subscription: string, max: number): Promise<QueueMessage[]> {
    const q = this.subs.get(subscription)
    if (!q || max <= 0 || this.closed) return []
    const now = this.now()
    const taken = q.fifo ? fifoReady(q.buffer, max, now) : q.buffer.splice(0, max)
    const lease = q.sub.config.visibilityTimeout * 1000
    for (const d of taken) {
      d.held = true
      d.leasedUntil = now + lease
      this.consumers.held.set(d.id, d)
    }
    const counting = this.consumers.started(taken)
    if (counting) await counting
    return taken.map(toMessage)
  }

  async ack(id: string): Promise<void> {
    const d = this.consumers.take(id)
    if (!d) return
    this.consumers.settle(d)
    const key = d.msg.headers?.[H.key]
    if (key !== undefined) await this.call(() => this.topology.releaseKey(d.q.sub.id, String(key)))
  }

  async nack(id: string, failure: Failure): Promise<'retry' | 'dead'> {
    const d = this.consumers.take(id)
    if (!d) return 'dead'
    const config = d.q.sub.config
    if (!failure.retryable || d.attempt > config.maxRetries) {
      const reason = failure.retryable
        ? `failed ${d.attempt} time(s); no retries left`
        : 'failed with a non-retriable error'
      await this.toDead(d, reason, failure.error)
      return 'dead'
    }
    const delay = failure.retryAfterMs ?? backoffMs(config, d.attempt)
    if (d.q.fifo) {
      // Kept here, unacked: its group stays blocked until the retry, in order.
      d.held = false
      d.attempt++
      d.visibleAt = this.now() + delay
      const timer = setTimeout(() => this.notify(d.q.sub.id), delay + 1)
      timer.unref?.()
      return 'retry'
    }
    await this.call(() => this.out.republish(d, d.attempt + 1, delay))
    this.consumers.settle(d)
    return 'retry'
  }

  async release(id: string): Promise<void> {
    const d = this.consumers.take(id)
    if (!d) return
    if (d.q.fifo) {
      d.held = false
      return
    }
    // A copy with the same attempt (a requeue would set `redelivered`, read as one more attempt).
    await this.call(() => this.out.republish(d, d.attempt, 0))
    this.consumers.settle(d)
  }

  async deadLetter(id: string, reason: string): Promise<void> {
    const d = this.consumers.take(id)
    if (d) await this.toDead(d, reason, null)
  }

  async recoverExpired(): Promise<number> {
    const now = this.now()
    let n = 0
    for (const d of [...this.consumers.held.values()]) {
      if (d.leasedUntil > now) continue
      this.consumers.take(d.id)
      n++
      if (d.attempt > d.q.sub.config.maxRetries) {
        await this.toDead(d, `its handler vanished ${d.attempt} time(s) (visibility timeout)`, null)
      } else if (d.q.fifo) {
        d.held = false
        d.attempt++
      } else {
        await this.call(() => this.out.republish(d, d.attempt + 1, 0))
        this.consumers.settle(d)
      }
    }
    return n
  }

  async nextReadyAt(subscription: string): Promise<number | null> {
    const q = this.subs.get(subscription)
    if (!q) return null
    const now = this.now()
    let at = this.arrivals.next(subscription)
    for (const { held, visibleAt } of q.buffer)
      if (!held && visibleAt > now && Number.isFinite(visibleAt) && (at === null || visibleAt < at)) at = visibleAt
    return at
  }

  /**
   * Ready and dead from the broker; delayed and in flight as this process knows them. AMQP
   * reports neither a queue's unacked count nor which subscription a delay queue's messages are
   * for, so inspected from outside the servers (`consume: false`) they are null, not 0.
   */
  async stats(): Promise<SubscriptionStats[]> {
    const now = this.now()
    const known = this.options.consume !== false
    return this.call(() =>
      Promise.all(
        [...this.subs.values()].map(async (q) => {
          const counts = await this.topology.counts(q.sub.id)
          const waiting = q.buffer.filter((d) => !d.held)
          const later = waiting.filter((d) => d.visibleAt > now).length
          return {
            topic: q.sub.topic,
            subscription: q.sub.id,
            ready: counts.ready + waiting.length - later,
            delayed: known ? this.arrivals.delayed(q.sub.id) + later : null,
            inFlight: known ? this.consumers.heldOf(q) : null,
            dead: counts.dead,
          }
        }),
      ),
    )
  }

  deadLetters(filter: DeadLetterFilter = {}): Promise<DeadLetter[]> {
    return this.call(() => this.dead.list(this.chosen(filter), filter.limit))
  }

  async retryDeadLetters(ids: readonly string[] | 'all', filter: DeadLetterFilter = {}): Promise<number> {
    const n = await this.call(() =>
      this.dead.retry(this.chosen(filter), ids, (sub, messageId) =>
        this.arrivals.expect(sub, messageId, 1, this.now(), false),
      ),
    )
    for (const sub of this.chosen(filter)) this.notify(sub.id)
    return n
  }

  dropDeadLetters(ids: readonly string[] | 'all', filter: DeadLetterFilter = {}): Promise<number> {
    return this.call(() => this.dead.drop(this.chosen(filter), ids, (sub, key) => this.topology.releaseKey(sub, key)))
  }

  onReady(listener: (subscription: string) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  async ready(): Promise<{ ok: boolean; detail?: string }> {
    if (this.out.ready && (this.consumerConn === this.conn || this.consumerConn.ready)) return { ok: true }
    return { ok: false, detail: `RabbitMQ at ${rabbitLabel(this.target.url)} is not connected (reconnecting)` }
  }

  /** Resolves when every copy this process published, due by `upTo`, has been delivered here (tests). */
  settled(upTo = this.now()): Promise<void> {
    // A consumer whose prefetch window is full gets no more until something is acked.
    return this.arrivals.settled(upTo, (sub) => {
      const q = this.subs.get(sub)
      if (!q) return true
      // A FIFO queue's buffer keeps its held deliveries until they settle (rabbitmq-consumers.ts).
      const unacked = q.buffer.length + (q.fifo ? 0 : this.consumers.heldOf(q))
      return unacked >= prefetchOf(q)
    })
  }

  /** Every queue and exchange this adapter declared (tests delete them after). */
  declared(): { queues: string[]; exchanges: string[] } {
    return { queues: [...this.topology.declared.queues], exchanges: [...this.topology.declared.exchanges] }
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.listeners.clear()
    for (const q of this.subs.values()) await this.consumers.stop(q)
    this.subs.clear()
    await this.out.close()
    await this.topology.close()
    await this.dead.close()
    for (const c of new Set([this.consumerConn, this.conn])) await c.close().catch(() => c.unsafeDestroy())
  }

  private async toDead(d: Delivery, reason: string, error: SerializedError | null): Promise<void> {
    await this.call(() => this.dead.add(d.q.sub.id, d.msg, { reason, error, attempts: d.attempt, at: this.now() }))
    this.consumers.settle(d)
  }

  private chosen(filter: DeadLetterFilter): Subscription[] {
    return [...this.subs.values()]
      .map((q) => q.sub)
      .filter(
        (s) =>
          (filter.topic === undefined || s.topic === filter.topic) &&
          (filter.subscription === undefined || s.id === filter.subscription),
      )
  }

  private notify(subscription: string): void {
    for (const l of this.listeners) l(subscription)
  }

  /** Connection trouble becomes E_RABBITMQ_UNAVAILABLE (503) naming the URL; broker refusals pass. */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (err) {
      throw this.unavailable(err)
    }
  }

  private unavailable(err: unknown): unknown {
    return err instanceof MotiaError || !isConnectionError(err) ? err : rabbitUnavailable(this.target.url, err)
  }
}
