import { workerEntryUrl } from '../../../runtime/embedded-entries'
import type { EngineClient, StateOp, StreamOp, TriggerRequest } from '../../../runtime/engine-client'
import { serializeError } from '../../../runtime/errors'
import type { LogLevel, LogRecord } from '../../../runtime/logger'
import type { EnqueueMessage } from '../../../sdk/types'
import { ingest } from '../../observability/metrics/otel-meter'
import type { RuntimeMetrics } from '../../observability/metrics/runtime-metrics'
import { Deadlines } from './deadlines'
import { LAST_WORDS_BYTES, readLastWords } from './last-words'
import { outbox, received } from './outbox'
import type { EngineToWorker, JobOutcome, JobSpec, WorkerToEngine } from './protocol'
import type { ThreadPriority } from './thread-priority'

/** A job as the pool takes it: the protocol's JobSpec (the pool numbers it) plus its timeout. */
export interface PoolJob extends Omit<JobSpec, 'id'> {
  timeoutMs: number
}

export interface WorkerPoolOptions {
  size: number
  dir: string
  logLevel: LogLevel
  /** How workers share the CPU with the engine thread (thread-priority.ts); default idle. */
  priority?: ThreadPriority
  /** Serves the workers' ctx calls (the engine thread's direct client). */
  engine: EngineClient
  onLog(record: LogRecord): void
  /** Stream names, for `ctx.streams.<name>` checks inside workers. */
  streams?: () => string[]
  /** The worker's module; tests give one that wraps worker-entry.ts (a slow-starting worker). */
  entry?: string | URL
  /** STEP_LOAD_TIMEOUT_MS unless given (tests). */
  loadTimeoutMs?: number
}

/** The longest a step file may take to import in a worker (or the handler's timeout, if longer). */
export const STEP_LOAD_TIMEOUT_MS = 60_000

interface PendingJob {
  id: number
  job: PoolJob
  resolve(o: JobOutcome): void
  slot: Slot
  /** While its worker imports the step file: the load timeout applies (deadline()). */
  loading: boolean
  /** Deadlines' time for it, once it is sent to its worker. */
  due: number
}

interface Slot {
  worker: Worker
  /** Messages to the worker, one postMessage per event-loop turn. */
  post: ((m: EngineToWorker) => void) & { flush(): void }
  jobs: Map<number, PendingJob>
  /** Log lines the worker has not posted yet (last-words.ts). */
  lastWords: SharedArrayBuffer
  ready: Promise<void>
  /** `ready` has resolved: a job is sent at once, not after a promise turn. */
  isReady: boolean
  dead: boolean
}

/**
 * A fixed pool of Bun workers running background handlers, so a slow or CPU-bound job never
 * stalls HTTP. Each worker runs many async jobs at once; a job goes to the least busy worker.
 * A job over its timeout is really stopped: its worker is terminated and replaced (the other
 * jobs it held fail as retryable), and so is a worker that crashes.
 */
export class WorkerPool {
  private slots: Slot[] = []
  private nextJob = 1
  private stopped = false
  restarts = 0
  private readonly deadlines = new Deadlines<PendingJob>((entry) => this.expired(entry))

  constructor(private readonly options: WorkerPoolOptions) {}

  async start(): Promise<void> {
    this.stopped = false
    this.slots = Array.from({ length: Math.max(1, this.options.size) }, () => this.spawn())
    await Promise.all(this.slots.map((s) => s.ready))
  }

  get size(): number {
    return this.slots.length
  }

  get inFlight(): number {
    return this.slots.reduce((n, s) => n + s.jobs.size, 0)
  }

  run(job: PoolJob): Promise<JobOutcome> {
    if (this.stopped) return Promise.resolve(failed('E_POOL_STOPPED', 'the worker pool is stopped'))
    // Not started (a project with HTTP steps only so far): the workers boot for this first job.
    if (this.slots.length === 0) void this.start()
    let slot = this.slots[0]!
    for (const s of this.slots) if (s.jobs.size < slot.jobs.size) slot = s
    const id = this.nextJob++
    // Field by field: a rest/spread copy (copyDataProperties) cost more per job.
    const spec: JobSpec = {
      id,
      file: job.file,
      step: job.step,
      triggerIndex: job.triggerIndex,
      topic: job.topic,
      input: job.input,
      traceId: job.traceId,
      spanId: job.spanId,
      attempt: job.attempt,
      scheduledTime: job.scheduledTime,
    }
    return new Promise<JobOutcome>((resolve) => {
      const entry: PendingJob = { id, job, resolve, slot, loading: false, due: 0 }
      slot.jobs.set(id, entry)
      const send = () => {
        if (!slot.jobs.has(id)) return // its worker died meanwhile (kill() settled it)
        this.deadline(entry, false)
        this.send(slot, { type: 'run', job: spec })
      }
      // The handler's time starts when its worker can take it (not while the worker loads).
      if (slot.isReady) send()
      else slot.ready.then(send)
    })
  }

  /**
   * (Re)starts a job's deadline: its handler's timeout, or while its worker imports the step
   * file (`loading`), the load timeout. Past it the job fails and its worker is replaced.
   */
  private deadline(entry: PendingJob, loading: boolean): void {
    entry.loading = loading
    this.deadlines.set(entry, this.limitMs(entry))
  }

  /** The time a job is given: its handler's timeout, or while its step file imports, at least the load timeout. */
  private limitMs({ job, loading }: PendingJob): number {
    return loading ? Math.max(job.timeoutMs, this.options.loadTimeoutMs ?? STEP_LOAD_TIMEOUT_MS) : job.timeoutMs
  }

  private expired(entry: PendingJob): void {
    const { job, slot, loading } = entry
    const ms = this.limitMs(entry)
    if (slot.jobs.get(entry.id) !== entry) return
    slot.jobs.delete(entry.id)
    entry.resolve(
      loading
        ? failed(
            'E_STEP_LOAD_TIMEOUT',
            `step "${job.step}": its file took longer than ${ms} ms to import and was stopped`,
          )
        : failed('E_HANDLER_TIMEOUT', `handler of step "${job.step}" ran longer than ${ms} ms and was stopped`),
    )
    this.replace(slot, `${loading ? 'the import of' : 'a handler of'} step "${job.step}" timed out on this worker`)
  }

  /** Step files changed (dev reload): workers import them afresh on next use. */
  reload(files: readonly string[]): void {
    const streams = this.options.streams?.() ?? []
    for (const s of this.slots) this.send(s, { type: 'reload', files: [...files], streams })
  }

  /** Posts the jobs queued so far now, not at the end of the turn (a claimed batch: Dispatcher). */
  flush(): void {
    for (const s of this.slots) if (!s.dead) s.post.flush()
  }

  get started(): boolean {
    return this.slots.length > 0
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.deadlines.stop()
    for (const s of this.slots)
      this.kill(s, failed('E_POOL_STOPPED', 'the worker pool stopped before the handler finished'))
    this.slots = []
  }

  private spawn(): Slot {
    const worker = new Worker(
      this.options.entry ??
        workerEntryUrl('modules/queue/pool/worker-entry', new URL('./worker-entry.ts', import.meta.url)),
    )
    let markReady!: () => void
    const slot: Slot = {
      worker,
      post: outbox<EngineToWorker>(
        (m) => {
          if (!slot.dead) worker.postMessage(m)
        },
        (m, err) => this.unsendable(slot, m, err),
        (m) => m.type === 'run',
      ),
      jobs: new Map(),
      lastWords: new SharedArrayBuffer(LAST_WORDS_BYTES),
      ready: new Promise((r) => (markReady = r)),
      isReady: false,
      dead: false,
    }
    const ready = () => {
      slot.isReady = true
      markReady()
    }
    worker.onmessage = (e: MessageEvent<WorkerToEngine | string>) => this.receive(slot, received(e.data), ready)
    worker.addEventListener('error', (e) => {
      this.replace(slot, 'the worker crashed')
      this.options.onLog({ time: Date.now(), level: 'error', msg: `step worker crashed: ${(e as ErrorEvent).message}` })
    })
    worker.addEventListener('close', () => {
      if (!slot.dead && !this.stopped) this.replace(slot, 'the worker exited')
    })
    this.send(slot, {
      type: 'init',
      dir: this.options.dir,
      logLevel: this.options.logLevel,
      streams: this.options.streams?.() ?? [],
      tracing: this.options.engine.tracer !== undefined,
      priority: this.options.priority ?? 'idle',
      lastWords: slot.lastWords,
    })
    return slot
  }

  private receive(slot: Slot, m: WorkerToEngine, markReady: () => void): void {
    switch (m.type) {
      case 'batch':
        for (const one of m.messages) this.receive(slot, one, markReady)
        return
      case 'ready':
        markReady()
        return
      case 'done': {
        const job = slot.jobs.get(m.jobId)
        if (!job) return
        slot.jobs.delete(m.jobId)
        this.deadlines.clear(job)
        job.resolve(m.outcome)
        return
      }
      case 'loading':
      case 'loaded': {
        const job = slot.jobs.get(m.jobId)
        if (job) this.deadline(job, m.type === 'loading')
        return
      }
      case 'log':
        this.options.onLog(m.record)
        return
      case 'span':
        this.options.engine.tracer?.record(m.span)
        return
      case 'metrics': {
        const registry = (this.options.engine as { metrics?: RuntimeMetrics }).metrics?.registry
        if (registry) for (const p of m.points) ingest(registry, p)
        return
      }
      case 'call':
        void this.serve(m).then(
          (value) => this.send(slot, { type: 'reply', callId: m.callId, ok: true, value }),
          (err) => this.send(slot, { type: 'reply', callId: m.callId, ok: false, error: serializeError(err) }),
        )
    }
  }

  private serve(m: Extract<WorkerToEngine, { type: 'call' }>): Promise<unknown> {
    const engine = this.options.engine
    if (m.target === 'state') return engine.state(m.op as StateOp, m.args, m.origin)
    if (m.target === 'enqueue') return engine.enqueue(m.args[0] as EnqueueMessage, m.origin)
    if (m.target === 'trigger') return engine.trigger(m.args[0] as TriggerRequest, m.origin)
    return engine.stream(m.name!, m.op as StreamOp, m.args, m.origin)
  }

  /**
   * A message a worker could not be sent (outbox.ts): its job or call fails alone. Job inputs
   * and answers are JSON-parsed from the stores, so this guards against a module that passes on
   * something else.
   */
  private unsendable(slot: Slot, m: EngineToWorker, err: unknown): void {
    const reason = err instanceof Error ? err.message : String(err)
    if (m.type === 'run') {
      const job = slot.jobs.get(m.job.id)
      if (!job) return
      slot.jobs.delete(m.job.id)
      this.deadlines.clear(job)
      const why = `step "${m.job.step}": its input cannot be sent to a step worker (${reason})`
      job.resolve(failed('E_VALUE_NOT_STORABLE', why, false))
    } else if (m.type === 'reply') {
      const error = {
        name: 'MotiaError',
        code: 'E_VALUE_NOT_STORABLE',
        message: `the answer cannot be sent (${reason})`,
      }
      this.send(slot, { type: 'reply', callId: m.callId, ok: false, error })
    } else {
      this.options.onLog({ time: Date.now(), level: 'error', msg: `a step worker was not sent ${m.type}: ${reason}` })
    }
  }

  private replace(slot: Slot, why: string): void {
    if (slot.dead) return
    this.kill(slot, failed('E_WORKER_REPLACED', `${why}; the worker was replaced before this handler finished`))
    if (this.stopped) return
    this.restarts++
    const i = this.slots.indexOf(slot)
    if (i >= 0) this.slots[i] = this.spawn()
  }

  private kill(slot: Slot, outcome: JobOutcome): void {
    slot.dead = true
    // What its handlers logged just before it exited or while it hung (last-words.ts).
    for (const record of readLastWords(slot.lastWords)) this.options.onLog(record)
    for (const job of slot.jobs.values()) {
      this.deadlines.clear(job)
      job.resolve(outcome)
    }
    slot.jobs.clear()
    slot.worker.terminate()
  }

  private send(slot: Slot, m: EngineToWorker): void {
    if (!slot.dead) slot.post(m)
  }
}

function failed(code: string, message: string, retryable = true): JobOutcome {
  return { status: 'error', error: { name: 'MotiaError', code, message }, retryable }
}
