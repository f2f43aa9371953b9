import type { StepDefinition, TriggerDef } from '../../runtime/step'

/** One background execution: a queue message, a cron tick, a state or stream event. */
export interface BackgroundJob {
  step: StepDefinition
  def: TriggerDef
  input: unknown
  traceId: string
  /** 1-based attempt number (queue messages); 1 for everything else. */
  attempt: number
  /** The span that caused this run (an enqueue, a state write): the run's span is its child. */
  parentSpanId?: string
  /** The queue message's id. */
  messageId?: string
  /** A cron tick: the time it was scheduled for (ms), `ctx.trigger.scheduledTime`. */
  scheduledTime?: number
}

/** The protocol's outcome type: what a worker reports is what the runner returns. */
export type { JobOutcome } from './pool/protocol'

import type { JobOutcome } from './pool/protocol'

/**
 * Runs background handlers off the engine thread (the worker pool). Cron, state and stream
 * modules use it through `shared.get('runner')`; the queue module provides it.
 */
export interface BackgroundRunner {
  run(job: BackgroundJob): Promise<JobOutcome>
  /** Sends the jobs `run` queued so far without waiting for the end of the turn. */
  flush?(): void
}

export const RUNNER_KEY = 'queue.runner'

/**
 * The pool that runs `.py` steps' background jobs (modules/python sets it): the queue runner
 * sends a job there when its step file is Python, and to the worker threads otherwise.
 */
export const PYTHON_POOL_KEY = 'queue.pool.python'

/** What the runner needs of a pool: WorkerPool and the Python pool both have it. */
export interface JobPool {
  run(job: import('./pool/worker-pool').PoolJob): Promise<JobOutcome>
}
