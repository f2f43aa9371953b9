/** What test runtimes and test contexts record (logs, enqueues, stream events), for `motia/testing`. */
import { enqueueTopic } from '../runtime/legacy-enqueue'
import type { EnqueueMessage } from './types'

/** The step name of what a test does itself (`rt.enqueue()`, a context without a step). */
export const TEST_ORIGIN = 'test'

/** A log line captured by a test runtime or a test context. */
export interface TestLogRecord {
  time: number
  level: 'debug' | 'info' | 'warn' | 'error'
  msg: string
  step?: string
  traceId?: string
  fields?: Record<string, unknown>
}

/** A message enqueued by a handler (or by the test), as it was handed to the queue. */
export interface RecordedEnqueue {
  topic: string
  data: unknown
  traceId: string
  /** The step that enqueued it; `test` for `rt.enqueue()` and `ctx.enqueue()` without a step. */
  step: string
  messageGroupId?: string
}

/** An ephemeral `streams.<name>.send()` event recorded by a test context. */
export interface RecordedStreamEvent {
  stream: string
  channel: { groupId: string; id?: string }
  event: { type: string; data?: unknown }
}

/** A recorded enqueue: the topic as the engine reads it (also the first releases' `{ type }`). */
export function recorded(message: EnqueueMessage, origin: { step: string; traceId: string }): RecordedEnqueue {
  // A test context has no engine to read the first releases' `{ type }` as the topic: read it here.
  const topic = enqueueTopic(message) ?? message.topic
  const r: RecordedEnqueue = { topic, data: message.data, traceId: origin.traceId, step: origin.step }
  if (message.messageGroupId !== undefined) r.messageGroupId = message.messageGroupId
  return r
}
