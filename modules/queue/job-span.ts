import { SpanStatusCode } from '@opentelemetry/api'
import { type ActiveSpan, type ExecutionTracer, OK_STATUS, parentOf, type SpanAttributes } from '../../runtime/tracing'
import type { JobOutcome } from './pool/protocol'
import type { BackgroundJob } from './runner'

/**
 * The span of one background run (a message, a cron tick, a state or stream trigger), made on
 * the engine thread before the job goes to a worker: the run is traced even if its worker is
 * terminated, and ctx calls made in the worker come back as its children.
 */
export function startJobSpan(tracer: ExecutionTracer, job: BackgroundJob): ActiveSpan | undefined {
  const { step, def } = job
  const a: SpanAttributes = { 'motia.step': step.name, 'motia.trigger.type': def.type }
  let name: string
  switch (def.type) {
    case 'queue':
      name = `process ${def.topic}`
      a['motia.topic'] = def.topic
      a['messaging.destination.name'] = def.topic
      a['messaging.operation'] = 'process'
      a['motia.attempt'] = job.attempt
      if (job.messageId) a['messaging.message.id'] = job.messageId
      break
    case 'cron':
      name = `cron ${step.name}`
      a['motia.cron.expression'] = def.expression
      break
    case 'state': {
      const input = job.input as { group_id?: unknown; item_id?: unknown }
      name = `state trigger ${step.name}`
      if (typeof input?.group_id === 'string') a['motia.state.group_id'] = input.group_id
      if (typeof input?.item_id === 'string') a['motia.state.key'] = input.item_id
      break
    }
    case 'stream':
      name = `stream ${def.streamName}`
      a['motia.stream.name'] = def.streamName
      break
    default:
      name = step.name
  }
  const kind = def.type === 'queue' ? 'consumer' : 'internal'
  return tracer.execution(job.traceId, job.parentSpanId, parentOf(job.parentSpanId), name, kind, a, step.name, def)
}

/** Ends a run's span with its outcome and hands the outcome on. */
export function endJobSpan(span: ActiveSpan, outcome: JobOutcome): JobOutcome {
  if (outcome.status === 'error') {
    const e = outcome.error
    span.addEvent('exception', {
      'exception.type': e.name ?? 'Error',
      'exception.message': e.message,
      ...(e.stack ? { 'exception.stacktrace': e.stack } : {}),
    })
    span.setAttribute('motia.retryable', outcome.retryable)
    span.setStatus({ code: SpanStatusCode.ERROR, message: e.message })
  } else {
    if (outcome.status === 'skipped') span.setAttribute('motia.skipped', true)
    span.setStatus(OK_STATUS)
  }
  span.end()
  return outcome
}
