import type { AsyncMessage, Channel, Connection } from 'rabbitmq-client'
import { AckBatcher } from './rabbitmq-acks'
import { SocketCork, SocketReads } from './rabbitmq-connection'
import type { Topology } from './rabbitmq-declare'
import { type Delivery, prefetchOf, type SubQueue } from './rabbitmq-delivery'
import type { Outbox } from './rabbitmq-publish'
import { H } from './rabbitmq-topology'

const RESTART_MS = 500

/** What the consumers need of the adapter that owns them. */
export interface ConsumerHost {
  /** The subscription is still this adapter's and the adapter is open (else no restart). */
  current(q: SubQueue): boolean
  /** A copy reached this process (`attempt` as published). */
  arrived(q: SubQueue, messageId: string, attempt: number): void
  /** New work for the subscription (once per socket read, however many deliveries it brought). */
  notify(subscription: string): void
  /** Redelivered once too often (its processes died holding it): to the dead letters. */
  exhausted(d: Delivery, deaths: number): Promise<void>
  warn(msg: string): void
}

/**
 * This process's consumer per subscription and what they delivered: the deliveries waiting in
 * each subscription's buffer, those `held` by a running handler, and their acks. A consumer
 * whose channel closes has what it held redelivered by the broker, and is started again.
 */
export class Consumers {
  /** Claimed by a handler, not settled yet. */
  readonly held = new Map<string, Delivery>()
  private readonly acks: AckBatcher
  private readonly reads: SocketReads
  private readonly arriving = new Set<string>()
  private seq = 0

  constructor(
    private readonly conn: Connection,
    private readonly out: Outbox,
    private readonly topology: Topology,
    private readonly host: ConsumerHost,
  ) {
    const cork = new SocketCork(conn)
    this.acks = new AckBatcher((fn) => cork.around(fn))
    this.reads = new SocketReads(conn, () => {
      if (this.arriving.size > 0) this.flushArrivals()
    })
  }

  async start(q: SubQueue): Promise<void> {
    if (q.starting || q.ch || !this.host.current(q)) return q.starting
    q.starting = (async () => {
      try {
        const ch = await this.conn.acquire()
        await ch.basicQos({ prefetchCount: prefetchOf(q) })
        ch.once('close', () => this.lost(q, ch))
        ch.on('basic.cancel', () => void ch.close().catch(() => {}))
        await ch.basicConsume({ queue: q.queue }, (msg) => this.receive(q, ch, msg))
        q.ch = ch
      } catch {
        if (this.host.current(q) && this.conn.ready) setTimeout(() => void this.start(q), RESTART_MS).unref?.()
      } finally {
        q.starting = undefined
      }
    })()
    return q.starting
  }

  async stop(q: SubQueue): Promise<void> {
    const ch = q.ch
    q.ch = undefined
    if (!ch) return
    // Not yet started here: back to the queue as they were (a requeue would count an attempt).
    const waiting = q.fifo ? [] : q.buffer.splice(0)
    if (this.out.ready) {
      await Promise.all(
        waiting.map(async (d) => {
          await this.out.republish(d, d.attempt, 0)
          this.settle(d)
        }),
      ).catch(() => {})
    }
    this.acks.flush(ch)
    await ch.close().catch(() => {})
  }

  take(id: string): Delivery | undefined {
    const d = this.held.get(id)
    if (!d) return undefined
    this.held.delete(id)
    return d
  }

  /** How many of a subscription's deliveries running handlers hold. */
  heldOf(q: SubQueue): number {
    let n = 0
    for (const d of this.held.values()) if (d.q === q) n++
    return n
  }

  /** Acked at the end of this event-loop turn, with the turn's other acks (rabbitmq-acks.ts). */
  settle(d: Delivery): void {
    if (d.counted !== undefined) void this.topology.forgetStarts(d.q.sub.id, d.messageId, d.counted).catch(() => {})
    if (d.q.fifo) {
      const i = d.q.buffer.indexOf(d)
      if (i >= 0) d.q.buffer.splice(i, 1)
    }
    this.acks.ack(d.ch, d.msg.deliveryTag)
  }

  /** The consumer's channel is gone: what it delivered comes back from the broker. */
  private lost(q: SubQueue, ch: Channel): void {
    this.acks.forget(ch)
    if (q.ch === ch) q.ch = undefined
    q.buffer = q.buffer.filter((d) => d.ch !== ch)
    for (const d of this.held.values()) if (d.ch === ch) this.held.delete(d.id)
    if (this.host.current(q) && this.conn.ready) void this.start(q)
  }

  private receive(q: SubQueue, ch: Channel, msg: AsyncMessage): void {
    this.acks.delivered(ch, msg.deliveryTag)
    if (q.ch !== ch && q.starting === undefined) return
    const headers = msg.headers ?? {}
    const sent = Number(headers[H.attempt] ?? 1)
    const messageId = msg.messageId ?? `t-${msg.deliveryTag}`
    const d: Delivery = {
      id: `${q.ids}${messageId}#${this.seq++}`,
      messageId,
      q,
      ch,
      msg,
      // Redelivered by the broker (a consumer died holding it): that delivery was an attempt.
      attempt: sent + (msg.redelivered ? 1 : 0),
      held: false,
      visibleAt: 0,
      leasedUntil: 0,
    }
    const group = headers[H.group]
    if (q.fifo && group !== undefined) d.group = String(group)
    if (msg.redelivered) void this.redelivered(q, d, sent)
    else this.admit(q, d, true, true)
    this.host.arrived(q, messageId, sent)
  }

  /**
   * The deliveries of one socket read wake the dispatcher once, after the last of them (it claims
   * them in one batch: SocketReads); `read` says this is a consumer callback. Failing that (the
   * socket not watched yet, a redelivery admitted later), at the end of this microtask.
   */
  private admit(q: SubQueue, d: Delivery, push: boolean, read: boolean): void {
    if (push) q.buffer.push(d)
    if (this.arriving.size === 0 && !(read && this.reads.watch() && this.reads.pending))
      queueMicrotask(() => this.flushArrivals())
    this.arriving.add(q.sub.id)
  }

  /**
   * A redelivery: a process died holding the message (or lost its connection). The broker says
   * only that (a classic queue) or counts every delivery that came back, started or merely
   * prefetched (a quorum queue), so the handler starts of a redelivered attempt are counted on
   * the broker (rabbitmq-declare.ts): a message whose handler kills every process that runs it
   * is dead-lettered after `maxRetries`, as a failing one is, while messages that only sat in a
   * dead process's prefetch lose one attempt, not one per death. A FIFO message keeps its place
   * meanwhile, blocking its group; should the count fail, the redelivery counts once.
   */
  private async redelivered(q: SubQueue, d: Delivery, sent: number): Promise<void> {
    d.visibleAt = Number.POSITIVE_INFINITY
    if (q.fifo) q.buffer.push(d)
    let started = 0
    try {
      started = await this.topology.startsOf(q.sub.id, d.messageId, sent)
      d.counted = sent
    } catch {}
    d.visibleAt = 0
    d.attempt = sent + 1 + started
    if (!d.ch.active) return
    if (d.attempt - 1 > q.sub.config.maxRetries) {
      // Not claimable while it is dead-lettered (a FIFO message is in the buffer).
      d.held = true
      return this.host.exhausted(d, started + 1)
    }
    this.admit(q, d, !q.fifo, false)
  }

  /** Claimed: a redelivered message's start is on the broker before its handler runs. */
  started(claimed: readonly Delivery[]): Promise<unknown> | undefined {
    if (!claimed.some((d) => d.counted !== undefined)) return undefined
    const counted = claimed.filter((d) => d.counted !== undefined)
    return Promise.all(
      counted.map((d) =>
        this.topology.markStart(d.q.sub.id, d.messageId, d.counted!).catch((err) => {
          this.host.warn(`queue: counting the start of ${d.id} failed (${(err as Error).message}); it runs anyway`)
        }),
      ),
    )
  }

  private flushArrivals(): void {
    const subs = [...this.arriving]
    this.arriving.clear()
    for (const s of subs) this.host.notify(s)
  }
}
