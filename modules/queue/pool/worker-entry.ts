/**
 * A step worker: loads step files on demand and runs queue, cron, state and stream handlers,
 * talking to the engine only through messages (protocol.ts).
 */

import { registerBuiltins } from '../../../cmd/builtins'
import { provideZod } from '../../../runtime/builtin-modules'
import { StepContext } from '../../../runtime/context'
import { serializeError } from '../../../runtime/errors'
import { callHandler, conditionPasses, triggerInfo } from '../../../runtime/invoke'
import { forgetProjectModules } from '../../../runtime/module-graph'
import { loggable } from '../../../runtime/plain-data'
import type { StepDefinition } from '../../../runtime/step'
import { normalizeStep } from '../../../runtime/step-config'
import type { SpanRecord } from '../../../runtime/tracing'
import { TriggerRegistry } from '../../../runtime/trigger-registry'
import { cronTriggerKind } from '../../cron/trigger-kind'
import { httpTriggerKind } from '../../http/trigger-kind'
import { MeasurementBatch, registerMeterProvider } from '../../observability/metrics/otel-meter'
import { registerOtelGlobals } from '../../observability/otel-global'
import { SpanTracer } from '../../observability/tracer'
import { stateTriggerKind } from '../../state/trigger-kind'
import { streamTriggerKind } from '../../streams/trigger-kind'
import { queueTriggerKind } from '../trigger-kind'
import { LastWords } from './last-words'
import { outbox, received } from './outbox'
import type { EngineToWorker, JobOutcome, JobSpec, WorkerToEngine } from './protocol'
import { setThreadPriority } from './thread-priority'
import { WorkerEngineClient } from './worker-engine-client'

declare const self: Worker

registerBuiltins()
const registry = new TriggerRegistry()
for (const k of [httpTriggerKind, queueTriggerKind, cronTriggerKind, stateTriggerKind, streamTriggerKind])
  registry.register(k)

let lastWords: LastWords | undefined
const queue = outbox<WorkerToEngine>(
  (m) => {
    self.postMessage(m)
    lastWords?.settle()
  },
  unsendable,
  // An error's details are the thrower's own values: they go as before (unsendable() keeps a placeholder).
  (m) => m.type === 'log' || (m.type === 'done' && m.outcome.status !== 'error'),
)
/** Every message goes out once per turn; log lines are also kept where the engine can read them should this worker die first. */
const post = (m: WorkerToEngine) => {
  if (m.type === 'log') lastWords?.record(m.record)
  queue(m)
}
let client: WorkerEngineClient | undefined
let dir = ''
/** Step files by path: the import under way, then the definition it gave. */
const steps = new Map<string, Promise<StepDefinition> | StepDefinition>()

/** Imports a step file; its definition replaces the promise in `steps` once it is ready. */
function load(file: string): Promise<StepDefinition> {
  const p = import(file).then((exports) => {
    const { step, problems } = normalizeStep(
      exports,
      { file, relFile: file.startsWith(`${dir}/`) ? file.slice(dir.length + 1) : file },
      registry,
    )
    if (!step) throw new Error(problems.map((x) => `${x.field ?? ''} ${x.message}`).join('; '))
    return step
  })
  steps.set(file, p)
  p.then(
    (step) => steps.get(file) === p && steps.set(file, step), // not an import a reload made stale
    () => steps.get(file) === p && steps.delete(file),
  )
  return p
}

async function run(job: JobSpec): Promise<JobOutcome> {
  try {
    let step = steps.get(job.file)
    if (step === undefined || step instanceof Promise) {
      // The engine does not count an import against the handler's timeout: it is told.
      post({ type: 'loading', jobId: job.id })
      step = await (step ?? load(job.file))
      post({ type: 'loaded', jobId: job.id })
    }
    // The engine's name for it: two files with one name are told apart there (step-loader.ts).
    if (step.name !== job.step) step.name = job.step
    const def = step.triggers.find(
      (t) => t.index === job.triggerIndex && (t.type !== 'queue' || !job.topic || t.topic === job.topic),
    )
    if (!def) throw new Error(`step "${step.name}" has no trigger #${job.triggerIndex}`)
    const info = triggerInfo(def)
    if (job.scheduledTime !== undefined) info.scheduledTime = job.scheduledTime
    const ctx = new StepContext(client!, step, info, job.traceId, job.input, job.spanId)
    if (!(await conditionPasses(def, ctx, job.input))) return { status: 'skipped' }
    await callHandler(step, ctx, job.input)
    return { status: 'ok' }
  } catch (err) {
    const e = err as { name?: string; retryAfterMs?: unknown }
    if (e?.name === 'NonRetriableError') return { status: 'error', error: serializeError(err), retryable: false }
    if (e?.name === 'RetryAfterError' && typeof e.retryAfterMs === 'number') {
      return { status: 'error', error: serializeError(err), retryable: true, retryAfterMs: e.retryAfterMs }
    }
    return { status: 'error', error: serializeError(err), retryable: true }
  }
}

/**
 * A message the engine thread could not be sent (outbox.ts). A ctx call fails in its handler;
 * a log line, span or result goes again with placeholders for what could not travel.
 */
function unsendable(m: WorkerToEngine, error: unknown): void {
  if (m.type === 'call') {
    client?.unsendable(m, error)
    return
  }
  try {
    self.postMessage(loggable(m))
  } catch (again) {
    const reason = again instanceof Error ? again.message : String(again)
    // A job's result must arrive, if only as its error's name and message.
    if (m.type === 'done' && m.outcome.status === 'error') {
      const { name, message, code } = m.outcome.error
      self.postMessage({ ...m, outcome: { ...m.outcome, error: { name, message, code } } })
    } else {
      const record = { time: Date.now(), level: 'error', msg: `a step worker dropped a ${m.type} message: ${reason}` }
      self.postMessage({ type: 'log', record })
    }
  }
}

// Flushed a second after the first measurement of a batch (or when its job ends): a timer only
// while there is something to send, so an idle worker is never woken.
const measurements = new MeasurementBatch(() => setTimeout(flushMeasurements, 1000).unref?.())

function flushMeasurements(): void {
  const points = measurements.take()
  if (points) post({ type: 'metrics', points })
}

self.onmessage = (event: MessageEvent<EngineToWorker | string>) => handle(received(event.data))

function handle(m: EngineToWorker): void {
  switch (m.type) {
    case 'batch':
      for (const one of m.messages) handle(one)
      break
    case 'init':
      dir = m.dir
      lastWords = new LastWords(m.lastWords)
      provideZod(dir)
      setThreadPriority(m.priority)
      client = new WorkerEngineClient(post, m.logLevel, new Set(m.streams))
      if (m.tracing) {
        // Spans a handler starts through @opentelemetry/api end here and are posted to the engine,
        // whose store decides whether they are kept: nothing in a worker asks (`kept` false).
        const toEngine = (span: SpanRecord) => {
          post({ type: 'span', span })
          return false
        }
        client.tracer = new SpanTracer({ ended: (span) => toEngine(span.toRecord()), recorded: toEngine })
        registerOtelGlobals(client.tracer)
      }
      // metrics.getMeter(...) in a handler: measurements are summed here and posted in batches.
      registerMeterProvider(measurements.sink)
      post({ type: 'ready' })
      break
    case 'run':
      void run(m.job).then((outcome) => {
        // The job's measurements reach the engine before its outcome: one message per job at most.
        flushMeasurements()
        post({ type: 'done', jobId: m.job.id, outcome })
      })
      break
    case 'reply':
      client?.reply(m.callId, m.ok, m.ok ? m.value : m.error)
      break
    case 'reload': {
      // Forget every project module (not node_modules) so a step's own imports re-run too.
      forgetProjectModules(dir)
      steps.clear()
      client?.setStreams(m.streams)
      break
    }
  }
}

// A handler's stray rejection must not kill the worker (other jobs share it).
process.on('unhandledRejection', (reason) => {
  post({
    type: 'log',
    record: {
      time: Date.now(),
      level: 'error',
      msg: `unhandled rejection in a step worker: ${String((reason as Error)?.message ?? reason)}`,
    },
  })
})
