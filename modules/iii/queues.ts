import type { IiiEngine } from './iii-engine'

/** One of iii's named queues (`queue_configs` of its QueueModule). */
export interface QueueSettings {
  maxRetries: number
  concurrency: number
  type: 'standard' | 'fifo'
  /** fifo: the payload field whose value orders messages (one at a time per value). */
  groupField?: string
}

const DEFAULT: QueueSettings = { maxRetries: 3, concurrency: 10, type: 'standard' }

interface Job {
  functionId: string
  data: unknown
  attempt: number
  traceparent?: string
  group?: string
}

/**
 * iii's `TriggerAction.Enqueue({ queue })`: the invocation is stored in the named queue and
 * answered with a receipt; the queue invokes the function with that queue's concurrency,
 * retries a failure up to `max_retries` times with backoff, and a fifo queue runs one message
 * per group at a time. Kept in memory (docs/iii.md: what differs from iii).
 */
export class IiiQueues {
  private readonly waiting = new Map<string, Job[]>()
  private readonly running = new Map<string, number>()
  private readonly busyGroups = new Map<string, Set<string>>()
  private stopped = false

  constructor(
    private readonly iii: IiiEngine,
    private readonly settings: Record<string, QueueSettings>,
    private readonly backoffMs = 100,
  ) {}

  private of(queue: string): QueueSettings {
    return this.settings[queue] ?? this.settings.default ?? DEFAULT
  }

  enqueue(queue: string, functionId: string, data: unknown, traceparent?: string): { messageReceiptId: string } {
    const s = this.of(queue)
    const group =
      s.type === 'fifo' && s.groupField && typeof data === 'object' && data !== null
        ? String((data as Record<string, unknown>)[s.groupField])
        : undefined
    const list = this.waiting.get(queue) ?? []
    list.push({ functionId, data, attempt: 0, ...(traceparent ? { traceparent } : {}), ...(group ? { group } : {}) })
    this.waiting.set(queue, list)
    queueMicrotask(() => this.pump(queue))
    return { messageReceiptId: crypto.randomUUID() }
  }

  private pump(queue: string): void {
    if (this.stopped) return
    const s = this.of(queue)
    const list = this.waiting.get(queue) ?? []
    const busy = this.busyGroups.get(queue) ?? new Set<string>()
    this.busyGroups.set(queue, busy)
    let i = 0
    while ((this.running.get(queue) ?? 0) < s.concurrency && i < list.length) {
      const job = list[i]!
      if (job.group !== undefined && busy.has(job.group)) {
        i++
        continue
      }
      list.splice(i, 1)
      if (job.group !== undefined) busy.add(job.group)
      this.running.set(queue, (this.running.get(queue) ?? 0) + 1)
      void this.run(queue, job, s)
    }
  }

  private async run(queue: string, job: Job, s: QueueSettings): Promise<void> {
    let retry = false
    try {
      await this.iii.invoke(job.functionId, job.data, job.traceparent ? { traceparent: job.traceparent } : {})
    } catch {
      retry = job.attempt < s.maxRetries
    }
    this.running.set(queue, (this.running.get(queue) ?? 1) - 1)
    if (job.group !== undefined) this.busyGroups.get(queue)?.delete(job.group)
    if (retry && !this.stopped) {
      job.attempt++
      const delay = this.backoffMs * 2 ** (job.attempt - 1)
      // A fifo group keeps its place: the retry goes first, others of the group wait for it.
      if (job.group !== undefined) this.busyGroups.get(queue)?.add(job.group)
      setTimeout(() => {
        if (job.group !== undefined) this.busyGroups.get(queue)?.delete(job.group)
        const list = this.waiting.get(queue) ?? []
        list.unshift(job)
        this.waiting.set(queue, list)
        this.pump(queue)
      }, delay)
    }
    this.pump(queue)
  }

  stop(): void {
    this.stopped = true
    this.waiting.clear()
  }
}
