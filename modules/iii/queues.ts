import type { MotiaConfig } from '../../runtime/config/schema'
import { serializeError } from '../../runtime/errors'
import { type QueueTriggerDef, type StepDefinition, syntheticStep } from '../../runtime/step'
import type { QueueModuleApi } from '../queue/queue-module'
import type { BackgroundJob, JobOutcome } from '../queue/runner'
import type { SubscriptionDef } from '../queue/subscriptions'
import type { IiiEngine } from './iii-engine'

/** What a queued invocation carries through the store. */
interface QueuedCall {
  function_id: string
  data: unknown
  queue: string
  traceparent?: string
}

const TOPIC_PREFIX = 'iii::queue::'

/**
 * iii's `TriggerAction.Enqueue({ queue })`: the invocation is stored in motia's queue (the
 * configured adapter: sqlite, BullMQ or RabbitMQ, so a restart loses nothing accepted) and
 * answered with a receipt; the queue invokes the function with that queue's concurrency,
 * retries a failure up to `max_retries` times with the queue defaults' backoff, dead-letters
 * it after, and a fifo queue runs one message per `message_group_field` value at a time. A
 * queue name not configured goes to `default`.
 */
export class IiiQueues {
  private readonly settings: MotiaConfig['iii']['queues']

  constructor(
    private readonly iii: IiiEngine,
    private readonly queue: QueueModuleApi,
    config: MotiaConfig,
  ) {
    this.settings = { default: { max_retries: 3, concurrency: 10, type: 'standard' }, ...config.iii.queues }
    const defaults = config.queue.defaults
    // A lease covers the longest invocation, so a running one is not delivered twice.
    const visibilityTimeout = Math.max(defaults.visibilityTimeout, Math.ceil(config.iii.invocationTimeout / 1000) + 5)
    const subs: SubscriptionDef[] = Object.entries(this.settings).map(([name, q]) => {
      const topic = TOPIC_PREFIX + name
      const step = queueStep(name)
      const def: QueueTriggerDef = { type: 'queue', topic, index: 0, queueConfig: {} }
      return {
        id: `iii-queue:${name}`,
        topic,
        step,
        def,
        config: { ...defaults, visibilityTimeout, maxRetries: q.max_retries, concurrency: q.concurrency, type: q.type },
      }
    })
    this.ready = queue.serve('iii', subs, (job) => this.run(job))
  }

  /** Resolves once the queues' subscriptions are in the store. */
  readonly ready: Promise<void>

  async enqueue(queue: string, functionId: string, data: unknown, traceparent?: string) {
    const name = queue in this.settings ? queue : 'default'
    const s = this.settings[name]!
    const group =
      s.type === 'fifo' && s.message_group_field && typeof data === 'object' && data !== null
        ? String((data as Record<string, unknown>)[s.message_group_field])
        : undefined
    const call: QueuedCall = { function_id: functionId, data, queue, ...(traceparent ? { traceparent } : {}) }
    const trace = traceparent?.split('-')
    const [id] = await this.queue.adapter.enqueue({
      topic: TOPIC_PREFIX + name,
      data: call,
      traceId: trace?.[1] ?? crypto.randomUUID().replace(/-/g, ''),
      ...(trace?.[2] ? { parentSpanId: trace[2] } : {}),
      ...(group !== undefined ? { messageGroupId: group } : {}),
    })
    return { messageReceiptId: id ?? crypto.randomUUID() }
  }

  private async run(job: BackgroundJob): Promise<JobOutcome> {
    const call = job.input as QueuedCall
    try {
      await this.iii.invoke(call.function_id, call.data, call.traceparent ? { traceparent: call.traceparent } : {})
      return { status: 'ok' }
    } catch (err) {
      // A function not (yet) registered is retried too: after a restart its worker reconnects.
      return { status: 'error', error: serializeError(err), retryable: true }
    }
  }
}

function queueStep(name: string): StepDefinition {
  return syntheticStep(`iii-queue:${name}`, '', '(iii queue)')
}
