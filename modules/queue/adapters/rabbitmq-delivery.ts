import type { AsyncMessage, Channel } from 'rabbitmq-client'
import type { QueueMessage, Subscription } from '../adapter'
import { H } from './rabbitmq-topology'

/** One subscription: its queue and this process's consumer on it. */
export interface SubQueue {
  sub: Subscription
  queue: string
  fifo: boolean
  /** Ids of its messages start with this (deadLetterId with an empty message id). */
  ids: string
  /** Bound to the topic exchange (Topology.bound): a plain enqueue reaches it in one publish. */
  bound: boolean
  ch?: Channel
  starting?: Promise<void>
  /** Delivered to this process: standard, not yet claimed; FIFO, every one not yet settled. */
  buffer: Delivery[]
}

/** A message delivered to this process and not yet acked (RabbitMQ holds it for us). */
export interface Delivery {
  id: string
  messageId: string
  q: SubQueue
  ch: Channel
  msg: AsyncMessage
  attempt: number
  group?: string
  held: boolean
  /** FIFO retry waiting in this process (its group blocked until then). */
  visibleAt: number
  leasedUntil: number
  /** A classic queue's redelivery whose deaths were counted: the attempt the counter is for. */
  counted?: number
}

const PREFETCH_FIFO_MIN = 100

/**
 * The consumer's prefetch: twice the subscription's concurrency, so the next messages are already
 * here while `concurrency` handlers run (the dispatcher never runs more than that); with a window
 * of just `concurrency` every refill would wait for an ack's round trip to the broker. A FIFO
 * consumer takes more, to see other groups past a blocked one.
 */
export function prefetchOf(q: SubQueue): number {
  return q.fifo ? Math.max(q.sub.config.concurrency * 10, PREFETCH_FIFO_MIN) : q.sub.config.concurrency * 2
}

export function toMessage(d: Delivery): QueueMessage {
  const h = d.msg.headers ?? {}
  const m: QueueMessage = {
    id: d.id,
    topic: String(h[H.topic] ?? ''),
    subscription: d.q.sub.id,
    data: d.msg.body,
    traceId: String(h[H.trace] ?? ''),
    attempt: d.attempt,
    enqueuedAt: Number(h[H.enqueuedAt] ?? 0),
  }
  if (h[H.group] !== undefined) m.messageGroupId = String(h[H.group])
  if (h[H.span] !== undefined) m.parentSpanId = String(h[H.span])
  return m
}

/**
 * What a FIFO claim may take, in delivery order: per group only its oldest message, and only
 * when that one is neither running nor waiting for its retry; messages without a group freely.
 */
export function fifoReady(buffer: readonly Delivery[], max: number, now: number): Delivery[] {
  const taken: Delivery[] = []
  const blocked = new Set<string>()
  for (const d of buffer) {
    if (taken.length >= max) break
    if (d.group !== undefined) {
      if (blocked.has(d.group)) continue
      blocked.add(d.group)
    }
    if (!d.held && d.visibleAt <= now) taken.push(d)
  }
  return taken
}
