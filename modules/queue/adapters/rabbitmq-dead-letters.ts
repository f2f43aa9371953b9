import type { AsyncMessage, Channel, Connection, Envelope, SyncMessage } from 'rabbitmq-client'
import type { SerializedError } from '../../../runtime/errors'
import type { DeadLetter, Subscription } from '../adapter'
import { H, ownHeaders, type RabbitNames } from './rabbitmq-topology'

/** Dead-letter ids (and enqueue's returned ids) name the subscription and the message. */
export function deadLetterId(subscription: string, messageId: string): string {
  return `${encodeURIComponent(subscription)}/${messageId}`
}

interface Grave {
  reason: string
  error: SerializedError | null
  attempts: number
  at: number
}

type Send = (env: Envelope, body: Buffer) => Promise<void>

/**
 * The dead letters: one durable queue per subscription (`<prefix>.sub.<id>.dlq`) holding the
 * message with its data and headers for the reason, the error (JSON), the attempts and the time.
 * Listing reads a DLQ on a channel of its own without acking, so closing that channel puts every
 * message back in place; retry republishes the chosen ones to their subscription queue with a
 * fresh attempt count and acks them; drop acks them.
 */
export class DeadLetterStore {
  constructor(
    private readonly conn: Connection,
    private readonly names: RabbitNames,
    private readonly send: Send,
  ) {}

  /** Published with a confirm before the original is acked (a crash in between: a duplicate, not a loss). */
  add(sub: string, msg: AsyncMessage, grave: Grave): Promise<void> {
    const headers: Record<string, unknown> = {
      ...ownHeaders(msg.headers),
      [H.reason]: grave.reason,
      [H.error]: JSON.stringify(grave.error),
      [H.attempt]: grave.attempts,
      [H.failedAt]: String(grave.at),
    }
    delete headers[H.delay]
    return this.send(
      {
        exchange: '',
        routingKey: this.names.dlq(sub),
        durable: true,
        contentType: 'application/json',
        headers,
        ...(msg.messageId !== undefined ? { messageId: msg.messageId } : {}),
      },
      Buffer.from(JSON.stringify(msg.body ?? null)),
    )
  }

  async list(subs: readonly Subscription[], limit?: number): Promise<DeadLetter[]> {
    const out: DeadLetter[] = []
    for (const sub of subs) await this.each(sub, (msg) => void out.push(toDeadLetter(sub, msg)))
    out.sort((a, b) => a.failedAt - b.failedAt || a.id.localeCompare(b.id))
    return limit === undefined ? out : out.slice(0, limit)
  }

  async retry(
    subs: readonly Subscription[],
    ids: readonly string[] | 'all',
    expect: (sub: string, messageId: string) => void,
  ): Promise<number> {
    let n = 0
    for (const sub of subs) {
      await this.each(sub, async (msg, ch) => {
        if (!chosen(sub, msg, ids)) return
        const headers = ownHeaders(msg.headers)
        for (const h of [H.reason, H.error, H.failedAt, H.delay]) delete headers[h]
        headers[H.attempt] = 1
        expect(sub.id, msg.messageId ?? '')
        await this.send(
          {
            exchange: '',
            routingKey: this.names.queue(sub.id),
            durable: true,
            contentType: 'application/json',
            headers,
            ...(msg.messageId !== undefined ? { messageId: msg.messageId } : {}),
          },
          Buffer.from(JSON.stringify(msg.body ?? null)),
        )
        ch.basicAck({ deliveryTag: msg.deliveryTag })
        n++
      })
    }
    return n
  }

  async drop(
    subs: readonly Subscription[],
    ids: readonly string[] | 'all',
    releaseKey: (sub: string, key: string) => Promise<void>,
  ): Promise<number> {
    let n = 0
    for (const sub of subs) {
      await this.each(sub, async (msg, ch) => {
        if (!chosen(sub, msg, ids)) return
        ch.basicAck({ deliveryTag: msg.deliveryTag })
        const key = msg.headers?.[H.key]
        if (key !== undefined) await releaseKey(sub.id, String(key))
        n++
      })
    }
    return n
  }

  async close(): Promise<void> {}

  /** Visits every message of a DLQ once; those not acked go back when the channel closes. */
  private async each(sub: Subscription, visit: (msg: SyncMessage, ch: Channel) => unknown): Promise<void> {
    const ch = await this.conn.acquire()
    try {
      const { messageCount } = await ch.queueDeclare({ queue: this.names.dlq(sub.id), passive: true })
      for (let i = 0; i < messageCount; i++) {
        const msg = await ch.basicGet({ queue: this.names.dlq(sub.id), noAck: false })
        if (!msg) break
        await visit(msg, ch)
      }
    } catch (err) {
      if ((err as { code?: string }).code !== 'NOT_FOUND') throw err
    } finally {
      await ch.close().catch(() => {})
    }
  }
}

function chosen(sub: Subscription, msg: SyncMessage, ids: readonly string[] | 'all'): boolean {
  return ids === 'all' || ids.includes(deadLetterId(sub.id, msg.messageId ?? ''))
}

function toDeadLetter(sub: Subscription, msg: SyncMessage): DeadLetter {
  const h = msg.headers ?? {}
  let error: SerializedError | null = null
  try {
    error = JSON.parse(String(h[H.error] ?? 'null')) as SerializedError | null
  } catch {}
  return {
    id: deadLetterId(sub.id, msg.messageId ?? ''),
    topic: String(h[H.topic] ?? sub.topic),
    subscription: sub.id,
    data: msg.body,
    traceId: String(h[H.trace] ?? ''),
    error,
    reason: String(h[H.reason] ?? 'dead-lettered'),
    attempts: Number(h[H.attempt] ?? 0),
    failedAt: Number(h[H.failedAt] ?? 0),
    enqueuedAt: Number(h[H.enqueuedAt] ?? 0),
  }
}
