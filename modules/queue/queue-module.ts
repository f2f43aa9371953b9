import type { QueueService } from '../../runtime/engine'
import type { CallOrigin } from '../../runtime/engine-client'
import type { LoadProblem } from '../../runtime/errors'
import { MotiaError } from '../../runtime/errors'
import type { MotiaModule, Project, RuntimeServices } from '../../runtime/module'
import { probe } from '../../runtime/readiness'
import type { StepDefinition } from '../../runtime/step'
import type { ProjectCheck } from '../../runtime/step-loader'
import { epochMs, keptTraceOf } from '../../runtime/tracing'
import type { EnqueueMessage } from '../../sdk/types'
import { sharedSqlite } from '../storage/storage-module'
import type { QueueAdapter } from './adapter'
import { MemoryQueueAdapter } from './adapters/memory'
import { SqliteQueueAdapter } from './adapters/sqlite'
import { Dispatcher } from './dispatcher'
import { endJobSpan, startJobSpan } from './job-span'
import { WorkerPool } from './pool/worker-pool'
import { type BackgroundRunner, type JobPool, PYTHON_POOL_KEY, RUNNER_KEY } from './runner'
import { type SubscriptionDef, subscriptionsOf } from './subscriptions'
import { queueTriggerKind, validateQueueConfig } from './trigger-kind'

/** What tests and the CLI get from `shared.get('queue')`. */
export interface QueueModuleApi {
  adapter: QueueAdapter
  /** Resolves when no message is ready or in flight (`delayed`: nor waiting for a retry). */
  idle(options?: { delayed?: boolean }): Promise<void>
  pool: WorkerPool
  /**
   * Subscriptions a module serves itself instead of the worker pool (iii's named queues): kept
   * in the same store, with the same retries, dead letters and dispatcher as the project's;
   * `run` takes their messages. `source` names the set (a later call replaces it).
   */
  serve(source: string, subs: readonly SubscriptionDef[], run: BackgroundRunner['run']): Promise<void>
}

export const QUEUE_KEY = 'queue'

export function createQueueAdapter(rt: RuntimeServices): QueueAdapter | Promise<QueueAdapter> {
  const kind = rt.config.queue.adapter
  if (kind === 'memory') return new MemoryQueueAdapter()
  if (kind === 'sqlite') return new SqliteQueueAdapter(sharedSqlite(rt))
  // BullMQ and ioredis load only when configured: a third of the code, and of the heap every
  // full garbage collection walks, which the embedded default never needs.
  if (kind === 'redis') return import('./adapters/bullmq').then((m) => m.BullmqQueueAdapter.connect(rt.config.redis))
  // The AMQP client likewise loads only for `queue.adapter: rabbitmq`.
  if (kind === 'rabbitmq')
    return import('./adapters/rabbitmq').then((m) => m.RabbitQueueAdapter.connect(rt.config.rabbitmq, { log: rt.log }))
  throw new MotiaError(
    'E_ADAPTER_UNKNOWN',
    `queue.adapter "${kind}" is not available in this build (use sqlite, memory, redis or rabbitmq)`,
  )
}

/** `infrastructure.queue` is validated like a trigger's `config`. */
const infrastructureCheck: ProjectCheck = (steps) => {
  const out: { step: (typeof steps)[number]; problem: LoadProblem }[] = []
  for (const step of steps) {
    const problems: LoadProblem[] = []
    validateQueueConfig(step.queueConfig, { file: step.relFile, field: 'infrastructure', index: 0 }, 'queue', problems)
    for (const problem of problems) out.push({ step, problem })
  }
  return out
}

/**
 * Durable queue (SQLite by default) + the worker-thread pool. Enqueues from any handler land
 * in the store, one copy per subscription; the dispatcher feeds them to the pool and acks,
 * retries or dead-letters by the result. Delivery is at-least-once.
 */
export function queueModule(): MotiaModule {
  let rt: RuntimeServices
  let adapter: QueueAdapter
  let pool: WorkerPool
  let dispatcher: Dispatcher
  let subs: SubscriptionDef[] = []
  let started = false
  /** serve(): subscriptions by source, and the runner of each one's (synthetic) step. */
  const external = new Map<string, readonly SubscriptionDef[]>()
  const externalRuns = new Map<StepDefinition, BackgroundRunner['run']>()
  let topics = new Set<string>()
  const warnedTopics = new Set<string>()

  const service: QueueService = {
    async enqueue(message: EnqueueMessage, origin: CallOrigin) {
      if (!topics.has(message.topic) && !warnedTopics.has(message.topic)) {
        warnedTopics.add(message.topic)
        rt.log.warn(`message enqueued to topic "${message.topic}", which no step subscribes to; it is dropped`, {
          step: origin.step,
          traceId: origin.traceId,
        })
      }
      await adapter.enqueue({
        topic: message.topic,
        data: message.data,
        traceId: origin.traceId,
        // Absent fields as undefined rather than spread in: no object copies per message.
        parentSpanId: origin.spanId || undefined,
        messageGroupId: message.messageGroupId,
        idempotencyKey: message.idempotencyKey,
        delayMs: message.delaySeconds ? message.delaySeconds * 1000 : undefined,
      })
    },
  }

  const apply = async (project: Project) => {
    subs = [...subscriptionsOf(project.steps, rt.config.queue.defaults), ...[...external.values()].flat()]
    topics = new Set(subs.map((s) => s.topic))
    await adapter.setSubscriptions(subs.map((s) => ({ id: s.id, topic: s.topic, config: s.config })))
    dispatcher.setSubscriptions(subs)
    const declared = new Set(project.steps.flatMap((s) => s.enqueues.map((e) => e.topic)))
    for (const topic of declared) {
      if (!topics.has(topic)) rt.log.warn(`topic "${topic}" is enqueued by a step but no step subscribes to it`)
    }
  }

  return {
    name: 'queue',
    dependsOn: ['storage', 'state', 'metrics'],
    triggerKinds: [queueTriggerKind],
    checks: [infrastructureCheck],
    async setup(services) {
      rt = services
      adapter = await createQueueAdapter(rt)
      pool = new WorkerPool({
        size: rt.config.queue.workers,
        priority: rt.config.queue.workerPriority,
        dir: rt.dir,
        logLevel: rt.logs.level,
        engine: rt.engine,
        onLog: (record) => rt.logs.emit(record),
        streams: () => rt.project().streams.map((s) => s.name),
      })
      const runner: BackgroundRunner = {
        flush: () => pool.flush(),
        run: (job) => {
          const own = externalRuns.get(job.step)
          if (own) return own(job)
          const span = rt.engine.tracer && startJobSpan(rt.engine.tracer, job)
          const t0 = rt.engine.metrics ? performance.now() : 0
          // Python steps run in the python processes; the dispatcher's paths are the same.
          const runs: JobPool = (job.step.file.endsWith('.py') && (rt.shared.get(PYTHON_POOL_KEY) as JobPool)) || pool
          const outcome = runs.run({
            file: job.step.file,
            step: job.step.name,
            triggerIndex: job.def.index,
            topic: job.def.type === 'queue' ? job.def.topic : undefined,
            input: job.input,
            traceId: job.traceId,
            spanId: span?.spanId,
            attempt: job.attempt,
            scheduledTime: job.scheduledTime,
            timeoutMs: job.step.handlerTimeoutMs ?? rt.config.queue.handlerTimeout,
          })
          const metrics = rt.engine.metrics
          if (!metrics) return span ? outcome.then((o) => endJobSpan(span, o)) : outcome
          const series = metrics.step(job.step.name, job.def.type)
          // One continuation for the span and the metrics (a promise less per job).
          return outcome.then((o) => {
            if (span) endJobSpan(span, o)
            const t1 = performance.now()
            series.ran((t1 - t0) / 1000, o.status === 'error', keptTraceOf(span), epochMs(t1))
            return o
          })
        },
      }
      rt.shared.set(RUNNER_KEY, runner)
      dispatcher = new Dispatcher(adapter, runner, rt.log, () => rt.engine.metrics)
      rt.engine.queueService = service
      const api: QueueModuleApi = {
        adapter,
        idle: (options) => dispatcher.idle(options),
        pool,
        async serve(source, defs, run) {
          for (const d of external.get(source) ?? []) externalRuns.delete(d.step)
          external.set(source, defs)
          for (const d of defs) externalRuns.set(d.step, run)
          if (!started) return
          await apply(rt.project())
          dispatcher.pumpAll()
        },
      }
      rt.shared.set(QUEUE_KEY, api)
    },
    async start() {
      // Workers load in the background when the project has steps for them: HTTP need not wait,
      // and a job waits for its worker to be ready (WorkerPool.run). A project of HTTP steps
      // alone starts none (its first background job, if any, starts them): less memory, and the
      // start-up does not share the CPU with workers loading.
      if (runsInPool(rt.project())) void pool.start()
      started = true
      await apply(rt.project())
      dispatcher.start()
      dispatcher.pumpAll()
    },
    async projectChanged(project) {
      if (pool.started) pool.reload(project.steps.map((s) => s.file))
      else if (runsInPool(project)) void pool.start()
      await apply(project)
      dispatcher.pumpAll()
    },
    ready: () => probe(adapter),
    async drain(deadline) {
      const released = await dispatcher.drain(deadline)
      if (released > 0)
        rt.log.warn(`${released} message(s) still running at the shutdown deadline were released back to the queue`)
    },
    async stop() {
      await dispatcher?.stop()
      await pool?.stop()
      await adapter?.close()
    },
  }
}

/** Whether a project has TypeScript steps the worker pool runs (any trigger but HTTP; Python runs elsewhere). */
function runsInPool(project: Project): boolean {
  return project.steps.some((s) => !s.file.endsWith('.py') && s.triggers.some((t) => t.type !== 'http'))
}
