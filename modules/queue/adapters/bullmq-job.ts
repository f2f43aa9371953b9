/** How the BullMQ adapter (bullmq.ts) lays a message out as a job, and reads a failure back. */
import type { Job, Queue, Worker } from 'bullmq'
import type { SerializedError } from '../../../runtime/errors'
import type { Subscription } from '../adapter'
import type { FifoGate } from './bullmq-fifo'

/** What a job carries: the message and where it came from. */
export interface Payload {
  topic: string
  data: unknown
  traceId: string
  enqueuedAt: number
  parentSpanId?: string
  messageGroupId?: string
}

/** One subscription: its own BullMQ queue (so each gets its own copy) and a manual worker. */
export interface SubQueue {
  sub: Subscription
  name: string
  queue: Queue<Payload>
  worker: Worker<Payload>
  fifo?: FifoGate
}

/** A claimed job: BullMQ's lock on it is held (and renewed) until ack, nack or release. */
export interface Held {
  job: Job<Payload>
  token: string
  q: SubQueue
  renewedAt: number
}

/** What a failure leaves on the job (its last stacktrace entry): read back by `deadLetters`. */
export interface Grave {
  reason: string
  error: SerializedError | null
}

/** Runs a Redis call with the adapter's error mapping (redis-connection.ts `guarded`). */
export type Guarded = <T>(fn: () => Promise<T>) => Promise<T>

/** Message ids name the subscription too: `ack(id)` gets nothing else. */
export function messageId(subscription: string, jobId: string): string {
  return `${encodeURIComponent(subscription)}/${jobId}`
}

export function parseMessageId(id: string): { subscription: string; jobId: string } | null {
  const cut = id.indexOf('/')
  if (cut < 0) return null
  return { subscription: decodeURIComponent(id.slice(0, cut)), jobId: id.slice(cut + 1) }
}

/**
 * The error BullMQ records: its message is the handler's (what dashboards show as the failed
 * reason); its stack, which BullMQ keeps per attempt, carries the reason and the serialised
 * error as JSON for `deadLetters`. Named UnrecoverableError when no retry may follow.
 */
export function graveError(grave: Grave, message: string, final: boolean): Error {
  const err = new Error(message)
  if (final) err.name = 'UnrecoverableError'
  err.stack = JSON.stringify(grave)
  return err
}

export function readGrave(job: Job<Payload>): Grave {
  const last = job.stacktrace?.[job.stacktrace.length - 1]
  try {
    if (last) return JSON.parse(last) as Grave
  } catch {}
  return {
    reason: job.failedReason ?? 'failed',
    error: job.failedReason ? { name: 'Error', message: job.failedReason } : null,
  }
}
