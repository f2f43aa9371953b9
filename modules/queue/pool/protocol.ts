/**
 * The protocol between the engine and the processes or threads that run handlers (Bun workers
 * today, a Python runner later): plain JSON-able data, two string-tagged unions. Between Bun
 * threads, jobs, results and log records travel as JSON text (outbox.ts): a log field that is
 * a Date arrives as its ISO string, as the log sinks would write it.
 */
import type { CallOrigin } from '../../../runtime/engine-client'
import type { SerializedError } from '../../../runtime/errors'
import type { LogLevel, LogRecord } from '../../../runtime/logger'
import type { SpanRecord } from '../../../runtime/tracing'
import type { MetricPoint } from '../../observability/metrics/otel-meter'
import type { ThreadPriority } from './thread-priority'

export interface JobSpec {
  id: number
  /** Absolute path of the step file. */
  file: string
  step: string
  triggerIndex: number
  /** Queue triggers with several topics share one index: the topic picks the one. */
  topic?: string
  input: unknown
  traceId: string
  /** The run's span (tracing on), made on the engine thread: ctx calls and user spans are its children. */
  spanId?: string
  attempt: number
  /** A cron tick's scheduled time (ms). */
  scheduledTime?: number
}

export type JobOutcome =
  | { status: 'ok' }
  | { status: 'skipped' }
  | { status: 'error'; error: SerializedError; retryable: boolean; retryAfterMs?: number }

export type CallTarget = 'state' | 'enqueue' | 'stream' | 'trigger'

/** A handler's ctx call (state, enqueue, streams), from a worker thread or a Python process. */
export interface EngineCall {
  type: 'call'
  callId: number
  target: CallTarget
  name?: string
  op?: string
  args: unknown[]
  origin: CallOrigin
}

/** The engine's answer to an EngineCall. */
export type CallReply =
  | { type: 'reply'; callId: number; ok: true; value: unknown }
  | { type: 'reply'; callId: number; ok: false; error: SerializedError }

/** A log line written by a handler, with its step and trace id. */
export interface LogMessage {
  type: 'log'
  record: LogRecord
}

export type EngineToWorker =
  | {
      type: 'init'
      dir: string
      logLevel: LogLevel
      streams: string[]
      tracing: boolean
      priority: ThreadPriority
      /** Log lines not yet posted, readable by the engine if the worker dies (last-words.ts). */
      lastWords: SharedArrayBuffer
    }
  | { type: 'run'; job: JobSpec }
  | CallReply
  | { type: 'reload'; files: string[]; streams: string[] }
  /** Several messages of one event-loop turn (outbox.ts). */
  | { type: 'batch'; messages: EngineToWorker[] }

export type WorkerToEngine =
  | { type: 'ready' }
  | { type: 'done'; jobId: number; outcome: JobOutcome }
  /**
   * The job's step file is being imported in this worker (its first job there, or the first
   * since a reload), then it is: the load is not the handler's time (worker-pool.ts).
   */
  | { type: 'loading'; jobId: number }
  | { type: 'loaded'; jobId: number }
  | EngineCall
  | LogMessage
  /** A span user code started through `@opentelemetry/api` in the worker, ended. */
  | { type: 'span'; span: SpanRecord }
  /** Measurements user code made through `@opentelemetry/api` metrics, batched (otel-meter.ts). */
  | { type: 'metrics'; points: MetricPoint[] }
  /** Several messages of one event-loop turn (outbox.ts). */
  | { type: 'batch'; messages: WorkerToEngine[] }
