import type { Channel, Connection, Envelope } from 'rabbitmq-client'
import { MotiaError } from '../../../runtime/errors'
import type { Subscription } from '../adapter'
import type { RabbitTarget } from './rabbitmq-connection'
import {
  delayQueueArgs,
  KEY_QUEUE_ARGS,
  mainQueueArgs,
  type RabbitNames,
  REGISTRY_ARGS,
  STARTS_QUEUE_ARGS,
} from './rabbitmq-topology'

/** A delay queue is declared again after this, so its `x-expires` never catches a message in it. */
const DELAY_REDECLARE_MS = 60_000

/**
 * Declares the topology (rabbitmq-topology.ts) on one admin channel and answers what needs the
 * broker besides publishing: idempotency keys, queue depths, the registry `motia queue` reads.
 * The channel is acquired again after the broker closed it (a refused declaration, a lost
 * connection).
 */
export class Topology {
  private ch?: Channel
  private readonly delays = new Map<number, number>()
  private readonly subs = new Map<string, Subscription>()
  /** Every queue and exchange this instance declared (tests delete them: AMQP cannot list them). */
  readonly declared = { queues: new Set<string>(), exchanges: new Set<string>() }

  constructor(
    private readonly conn: Connection,
    private readonly target: RabbitTarget,
    private readonly names: RabbitNames,
  ) {}

  /** Whether the subscription's queue is bound to the topic exchange (see rabbitmq-topology.ts). */
  bound(sub: Subscription): boolean {
    return sub.config.delaySeconds === 0 && !/[*#]/.test(sub.topic) && Buffer.byteLength(sub.topic) <= 255
  }

  async declare(subs: readonly Subscription[]): Promise<void> {
    const ch = await this.channel()
    await ch.exchangeDeclare({ exchange: this.names.topics, type: 'topic', durable: true })
    await ch.exchangeDeclare({ exchange: this.names.delayExchange, type: 'headers', durable: true })
    await ch.queueDeclare({ queue: this.names.registry, durable: true, arguments: REGISTRY_ARGS })
    this.declared.exchanges.add(this.names.topics).add(this.names.delayExchange)
    this.declared.queues.add(this.names.registry)
    const previous = subs.length > 0 ? await this.registered() : []
    for (const sub of subs) {
      const queue = this.names.queue(sub.id)
      await this.declareQueue(queue, mainQueueArgs(this.target, sub), sub)
      await ch.queueDeclare({ queue: this.names.dlq(sub.id), durable: true })
      this.declared.queues.add(queue).add(this.names.dlq(sub.id))
      const binding = { queue, exchange: this.names.topics, routingKey: sub.topic }
      if (this.bound(sub)) await ch.queueBind(binding)
      else await ch.queueUnbind(binding)
      this.subs.set(sub.id, sub)
    }
    // A subscription the previous run had and this one has not stops receiving copies; its
    // queue and what is in it stay (`motia queue` still lists it until it is deleted by hand).
    const now = new Set(subs.map((s) => s.id))
    for (const old of previous) {
      if (!now.has(old.id))
        await ch.queueUnbind({ queue: this.names.queue(old.id), exchange: this.names.topics, routingKey: old.topic })
    }
    if (subs.length > 0) {
      const list = JSON.stringify(subs.map((s) => ({ id: s.id, topic: s.topic, config: s.config })))
      await ch.basicPublish({ exchange: '', routingKey: this.names.registry, durable: true }, list)
    }
  }

  /** The subscriptions of the last `setSubscriptions` any instance made (read, left in place). */
  async registered(): Promise<Subscription[]> {
    const ch = await this.conn.acquire()
    try {
      const msg = await ch.basicGet({ queue: this.names.registry, noAck: false })
      if (!msg) return []
      const body = typeof msg.body === 'string' ? msg.body : Buffer.from(msg.body as Buffer).toString()
      return JSON.parse(body) as Subscription[]
    } catch (err) {
      if ((err as { code?: string }).code === 'NOT_FOUND') return []
      throw err
    } finally {
      // Closing the channel puts the message back.
      await ch.close().catch(() => {})
    }
  }

  /** Ready messages in the subscription's queue and its dead letters. */
  async counts(sub: string): Promise<{ ready: number; dead: number }> {
    const ch = await this.channel()
    const [main, dlq] = await Promise.all([
      ch.queueDeclare({ queue: this.names.queue(sub), passive: true }),
      ch.queueDeclare({ queue: this.names.dlq(sub), passive: true }),
    ])
    return { ready: main.messageCount, dead: dlq.messageCount }
  }

  /** Declared (and bound to the delay exchange) before a message is published to it. */
  async delayQueue(ms: number): Promise<void> {
    const at = this.delays.get(ms)
    if (at !== undefined && performance.now() - at < DELAY_REDECLARE_MS) return
    const ch = await this.channel()
    const queue = this.names.delayQueue(ms)
    await ch.queueDeclare({ queue, durable: true, arguments: delayQueueArgs(this.target, ms) })
    this.declared.queues.add(queue)
    await ch.queueBind({
      queue,
      exchange: this.names.delayExchange,
      arguments: { 'x-match': 'all', 'motia-delay': this.names.delayKey(ms) },
    })
    this.delays.set(ms, performance.now())
  }

  /**
   * Takes an idempotency key for a subscription: false when a message holding it is still
   * queued (the key queue, max length 1 with reject-publish, refuses a second marker).
   */
  async holdKey(sub: string, key: string): Promise<boolean> {
    const ch = await this.channel()
    const queue = this.names.keyQueue(sub, key)
    await ch.queueDeclare({ queue, durable: true, arguments: KEY_QUEUE_ARGS })
    this.declared.queues.add(queue)
    try {
      await this.confirmed({ exchange: '', routingKey: queue, durable: true }, '1')
      return true
    } catch (err) {
      if ((err as { code?: string }).code === 'NACK') return false
      throw err
    }
  }

  /**
   * How many times a redelivered copy of attempt `attempt` of the message was started: one marker
   * per start (`markStart`, confirmed before the handler runs) in the message's starts queue.
   */
  async startsOf(sub: string, messageId: string, attempt: number): Promise<number> {
    const ch = await this.channel()
    const queue = this.names.startsQueue(sub, messageId, attempt)
    const { messageCount } = await ch.queueDeclare({ queue, durable: true, arguments: STARTS_QUEUE_ARGS })
    this.declared.queues.add(queue)
    return messageCount
  }

  markStart(sub: string, messageId: string, attempt: number): Promise<void> {
    return this.confirmed(
      { exchange: '', routingKey: this.names.startsQueue(sub, messageId, attempt), durable: true },
      '1',
    )
  }

  async forgetStarts(sub: string, messageId: string, attempt: number): Promise<void> {
    const ch = await this.channel()
    await ch.queueDelete({ queue: this.names.startsQueue(sub, messageId, attempt) })
  }

  async releaseKey(sub: string, key: string): Promise<void> {
    const ch = await this.channel()
    await ch.queueDelete({ queue: this.names.keyQueue(sub, key) })
  }

  /** After a reconnection everything is declared again before use. */
  reset(): void {
    this.delays.clear()
    this.ch = undefined
    this.confirmCh = undefined
  }

  async close(): Promise<void> {
    await this.ch?.close().catch(() => {})
    await this.confirmCh?.close().catch(() => {})
  }

  private confirmCh?: Channel
  private confirming?: Promise<Channel>
  /**
   * Published on a channel in confirm mode. Concurrent callers share the opening of that
   * channel: a publish on a channel whose `confirm.select` is still under way would shift the
   * confirms' numbering, leaving a publish waiting for good.
   */
  private async confirmed(env: Envelope, body: string): Promise<void> {
    if (!this.confirmCh?.active) {
      this.confirming ??= (async () => {
        const ch = await this.conn.acquire()
        await ch.confirmSelect()
        return ch
      })().finally(() => {
        this.confirming = undefined
      })
      this.confirmCh = await this.confirming
    }
    await this.confirmCh.basicPublish(env, body)
  }

  private async declareQueue(queue: string, args: Record<string, unknown>, sub: Subscription): Promise<void> {
    const ch = await this.channel()
    try {
      await ch.queueDeclare({ queue, durable: true, arguments: args })
    } catch (err) {
      if ((err as { code?: string }).code !== 'PRECONDITION_FAILED') throw err
      throw new MotiaError(
        'E_CONFIG_INVALID',
        `RabbitMQ queue "${queue}" (subscription ${sub.id}) exists with other arguments than ${JSON.stringify(args)} ` +
          `(queue type or FIFO changed?): drain and delete it, or use another rabbitmq.prefix. Broker said: ${(err as Error).message}`,
        { cause: err },
      )
    }
  }

  private opening?: Promise<Channel>
  private async channel(): Promise<Channel> {
    if (this.ch?.active) return this.ch
    this.opening ??= this.conn.acquire().finally(() => {
      this.opening = undefined
    })
    this.ch = await this.opening
    return this.ch
  }
}
