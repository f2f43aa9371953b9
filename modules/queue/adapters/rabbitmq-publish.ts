import type { Connection, Envelope, Publisher } from 'rabbitmq-client'
import type { EnqueueRequest } from '../adapter'
import type { Arrivals } from './rabbitmq-arrivals'
import { type RabbitTarget, rabbitUnavailable, SocketCork } from './rabbitmq-connection'
import type { Topology } from './rabbitmq-declare'
import type { Delivery, SubQueue } from './rabbitmq-delivery'
import { H, ownHeaders, type RabbitNames } from './rabbitmq-topology'

/**
 * An enqueued message as first published: its topic, trace, time and key in headers; attempt 1
 * goes without `x-attempt` (a consumer reads its absence as 1: one header less to encode and
 * decode per message).
 */
export function firstCopy(req: EnqueueRequest, messageId: string, now: number): { env: Envelope; body: Buffer } {
  const headers: Record<string, unknown> = {
    [H.topic]: req.topic,
    [H.trace]: req.traceId,
    [H.enqueuedAt]: String(now),
  }
  if (req.parentSpanId) headers[H.span] = req.parentSpanId
  if (req.messageGroupId !== undefined) headers[H.group] = req.messageGroupId
  if (req.idempotencyKey !== undefined) headers[H.key] = req.idempotencyKey
  const env: Envelope = {
    messageId,
    headers,
    durable: true,
    contentType: 'application/json',
    timestamp: Math.floor(now / 1000),
  }
  return { env, body: Buffer.from(JSON.stringify(req.data ?? null)) }
}

/**
 * Every publish of the queue, on one confirming channel: a publish resolves once the broker
 * confirmed it (on disk in the durable queues it was routed to). While the connection is down
 * it fails at once with E_RABBITMQ_UNAVAILABLE rather than waiting for the reconnection.
 */
export class Outbox {
  private readonly publisher: Publisher
  /** The publishes of one event-loop turn (a burst of enqueues) leave in one socket write. */
  private readonly cork: SocketCork

  constructor(
    private readonly conn: Connection,
    private readonly target: RabbitTarget,
    private readonly names: RabbitNames,
    private readonly topology: Topology,
    private readonly arrivals: Arrivals,
    private readonly now: () => number,
  ) {
    this.cork = new SocketCork(conn)
    this.publisher = conn.createPublisher({ confirm: true, maxAttempts: 1 })
    ;(this.publisher as unknown as { on(e: string, f: () => void): void }).on('error', () => {})
  }

  /**
   * One publish to the topic exchange reaches every bound subscription queue (those without a
   * delay, as topology.ts binds them) unless a key or a delay picks the copies one by one. The
   * plain case (most enqueues) goes straight to the publisher, without another async step.
   */
  firstCopies(
    req: EnqueueRequest,
    targets: readonly SubQueue[],
    messageId: string,
    env: Envelope,
    body: Buffer,
    now: number,
  ): Promise<void> {
    if (req.idempotencyKey === undefined && !req.delayMs && targets.every((q) => q.bound)) {
      for (const q of targets) this.arrivals.expect(q.sub.id, messageId, 1, now, false)
      env.exchange = this.names.topics
      env.routingKey = req.topic
      return this.send(env, body)
    }
    return this.publishEach(req, targets, messageId, env, body, now)
  }

  private async publishEach(
    req: EnqueueRequest,
    targets: readonly SubQueue[],
    messageId: string,
    env: Envelope,
    body: Buffer,
    now: number,
  ): Promise<void> {
    let copies = targets.map((q) => ({ q, delay: q.sub.config.delaySeconds * 1000 + (req.delayMs ?? 0) }))
    if (req.idempotencyKey !== undefined) {
      const fresh = await Promise.all(copies.map((c) => this.topology.holdKey(c.q.sub.id, req.idempotencyKey!)))
      copies = copies.filter((_, i) => fresh[i])
    }
    for (const c of copies) this.arrivals.expect(c.q.sub.id, messageId, 1, now + c.delay, c.delay > 0)
    await Promise.all(copies.map((c) => this.publishTo(c.q.queue, c.delay, env, body)))
  }

  /** A copy of a delivered message (its headers, `x-attempt` = `attempt`) back to its queue after `delay` ms. */
  republish(d: Delivery, attempt: number, delay: number): Promise<void> {
    const headers: Record<string, unknown> = { ...ownHeaders(d.msg.headers), [H.attempt]: attempt }
    delete headers[H.delay]
    const env: Envelope = {
      messageId: d.messageId,
      headers,
      durable: true,
      contentType: 'application/json',
      ...(d.msg.timestamp !== undefined ? { timestamp: d.msg.timestamp } : {}),
    }
    this.arrivals.expect(d.q.sub.id, d.messageId, attempt, this.now() + delay, delay > 0)
    return this.publishTo(d.q.queue, delay, env, Buffer.from(JSON.stringify(d.msg.body ?? null)))
  }

  /** Straight to a queue (default exchange), or through the delay queue of `delay` ms. */
  async publishTo(queue: string, delay: number, env: Envelope, body: Buffer): Promise<void> {
    if (delay <= 0) return this.send({ ...env, exchange: '', routingKey: queue }, body)
    const ms = Math.round(delay)
    await this.topology.delayQueue(ms)
    const headers = { ...env.headers, [H.delay]: this.names.delayKey(ms) }
    return this.send({ ...env, headers, exchange: this.names.delayExchange, routingKey: queue }, body)
  }

  /**
   * The connection is up and the broker is not blocking it. The client reads both from its
   * socket's cork, so while this turn's publishes hold the socket corked it is taken as it was
   * when they began.
   */
  get ready(): boolean {
    return this.cork.corked || this.conn.ready
  }

  /** Resolves once the broker confirmed the message (on disk in its durable queues). */
  send(env: Envelope, body: Buffer): Promise<void> {
    if (!this.ready) throw rabbitUnavailable(this.target.url, new Error('not connected (reconnecting)'), 'publish')
    this.cork.untilTurnEnds()
    return this.publisher.send(env, body)
  }

  close(): Promise<void> {
    return this.publisher.close().catch(() => {})
  }
}
