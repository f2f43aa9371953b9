import type { Job, JobsOptions } from 'bullmq'
import type Redis from 'ioredis'
import { connectRedis, guarded, type RedisTarget, redisLibraries } from '../../storage/redis-connection'
import type {
  DeadLetter,
  DeadLetterFilter,
  EnqueueRequest,
  Failure,
  QueueAdapter,
  QueueMessage,
  Subscription,
  SubscriptionStats,
} from '../adapter'
import { backoffMs } from '../retry-policy'
import { deadJobs, listDeadLetters } from './bullmq-dead-letters'
import { defineFifoScripts, FifoGate } from './bullmq-fifo'
import { repairFifo } from './bullmq-fifo-repair'
import { type Guarded, graveError, type Held, messageId, type Payload, type SubQueue } from './bullmq-job'

// BullMQ keeps a delayed job's due time in its score, shifted to leave room for a counter.
const DELAY_SCORE_SHIFT = 0x1000
const STALLED_CHECK_MS = 1000

/**
 * `queue.adapter: redis`, on BullMQ. One BullMQ queue per subscription (`<prefix>:bull:<sub>`),
 * so fan-out is one job per subscription. The runtime's dispatcher keeps running handlers in
 * the worker pool: it claims jobs through BullMQ's manual processing (`worker.getNextJob`),
 * acks with `moveToCompleted`, fails with `moveToFailed` (BullMQ's attempts = maxRetries + 1,
 * its backoff computed by this runtime's retry policy), and its lease is BullMQ's job lock
 * (lockDuration = visibilityTimeout), renewed while the handler runs; `recoverExpired` runs
 * BullMQ's stalled-job check, which puts the jobs of a vanished process back in wait. Dead
 * letters are BullMQ's failed jobs (kept). FIFO groups: see bullmq-fifo.ts.
 */
export class BullmqQueueAdapter implements QueueAdapter {
  readonly kind = 'redis'
  private readonly subs = new Map<string, SubQueue>()
  private readonly byTopic = new Map<string, SubQueue[]>()
  private readonly held = new Map<string, Held>()
  private readonly listeners = new Set<(subscription: string) => void>()
  private readonly instance = crypto.randomUUID()
  private readonly bullPrefix: string
  private readonly readyChannel: string
  private readonly registryKey: string
  private tokens = 0
  private renewer: ReturnType<typeof setInterval>
  private toAnnounce = new Set<string>()
  /** FIFO messages handed over but missing from BullMQ: since when (see repairFifo). */
  private readonly missingSince = new Map<string, number>()
  private closed = false
  private readonly call: Guarded = (fn) => guarded(this.target.url, fn)

  /** Opens the connections (start-up fails with E_REDIS_UNAVAILABLE naming the URL). */
  static async connect(target: RedisTarget): Promise<BullmqQueueAdapter> {
    const opened: Redis[] = []
    try {
      opened.push(await connectRedis(target.url, 'motia:queue'))
      // BullMQ's workers need a connection that waits out reconnections (their own rule).
      opened.push(
        await connectRedis(target.url, 'motia:queue:worker', { maxRetriesPerRequest: null, enableOfflineQueue: true }),
      )
      opened.push(await connectRedis(target.url, 'motia:queue:ready', { enableOfflineQueue: true }))
    } catch (err) {
      for (const c of opened) c.disconnect()
      throw err
    }
    const [client, workerClient, sub] = opened as [Redis, Redis, Redis]
    const adapter = new BullmqQueueAdapter(client, workerClient, sub, target, await redisLibraries())
    await adapter.listen()
    return adapter
  }

  constructor(
    private readonly client: Redis,
    private readonly workerClient: Redis,
    private readonly sub: Redis,
    private readonly target: RedisTarget,
    /** BullMQ's classes, loaded with ioredis by `connect`. */
    private readonly bull: Pick<Awaited<ReturnType<typeof redisLibraries>>, 'Queue' | 'Worker'>,
  ) {
    this.bullPrefix = `${target.prefix}:bull`
    this.readyChannel = `${target.prefix}:queue:ready`
    this.registryKey = `${target.prefix}:queue:subscriptions`
    // Locks are renewed on the monotonic clock: a job's lease lasts while its handler runs here.
    this.renewer = setInterval(() => void this.renewLocks(), 500)
    this.renewer.unref?.()
  }

  private async listen(): Promise<void> {
    this.sub.on('message', (channel: string, message: string) => {
      if (channel !== this.readyChannel) return
      const [origin, ...subs] = message.split('\n')
      if (origin === this.instance) return
      for (const s of subs) if (this.subs.has(s)) this.notify(s)
    })
    await this.sub.subscribe(this.readyChannel)
  }

  async setSubscriptions(subs: readonly Subscription[]): Promise<void> {
    const keep = new Set(subs.map((s) => s.id))
    for (const [id, q] of this.subs) {
      if (!keep.has(id)) {
        this.subs.delete(id)
        await this.closeSub(q)
      }
    }
    for (const sub of subs) {
      const existing = this.subs.get(sub.id)
      if (existing && JSON.stringify(existing.sub.config) === JSON.stringify(sub.config)) {
        existing.sub = sub
        continue
      }
      if (existing) await this.closeSub(existing)
      this.subs.set(sub.id, this.openSub(sub))
    }
    // Registered so `motia queue` (which loads no steps) finds every subscription's queue.
    if (subs.length > 0) {
      const entries = subs.flatMap((s) => [s.id, JSON.stringify({ topic: s.topic, config: s.config })])
      await this.call(() => this.client.hset(this.registryKey, ...entries))
    }
    this.byTopic.clear()
    for (const q of this.subs.values()) {
      const list = this.byTopic.get(q.sub.topic) ?? []
      list.push(q)
      this.byTopic.set(q.sub.topic, list)
    }
  }

  /** Every subscription any instance has run on this Redis (for `motia queue`). */
  async knownSubscriptions(): Promise<Subscription[]> {
    const all = await this.call(() => this.client.hgetall(this.registryKey))
    return Object.entries(all).map(([id, json]) => ({ id, ...(JSON.parse(json) as Omit<Subscription, 'id'>) }))
  }

  async enqueue(req: EnqueueRequest): Promise<string[]> {
    const targets = this.byTopic.get(req.topic) ?? []
    if (targets.length === 0) return []
    const payload: Payload = { topic: req.topic, data: req.data, traceId: req.traceId, enqueuedAt: Date.now() }
    if (req.parentSpanId) payload.parentSpanId = req.parentSpanId
    if (req.messageGroupId !== undefined) payload.messageGroupId = req.messageGroupId
    const ids = await this.call(() => Promise.all(targets.map((q) => this.add(q, payload, req))))
    for (const q of targets) this.announce(q.sub.id)
    return ids
  }

  async claim(subscription: string, max: number): Promise<QueueMessage[]> {
    const q = this.subs.get(subscription)
    if (!q || max <= 0 || this.closed) return []
    const tokens = Array.from({ length: max }, () => `${this.instance}:${this.tokens++}`)
    const jobs = await this.call(() =>
      Promise.all(tokens.map((t) => q.worker.getNextJob(t, { block: false }) as Promise<Job<Payload> | undefined>)),
    )
    const out: QueueMessage[] = []
    jobs.forEach((job, i) => {
      if (!job) return
      const id = messageId(q.sub.id, job.id!)
      this.held.set(id, { job, token: tokens[i]!, q, renewedAt: performance.now() })
      const p = job.data
      const msg: QueueMessage = {
        id,
        topic: p.topic,
        subscription: q.sub.id,
        data: p.data,
        traceId: p.traceId,
        attempt: job.attemptsStarted,
        enqueuedAt: p.enqueuedAt,
      }
      if (p.messageGroupId !== undefined) msg.messageGroupId = p.messageGroupId
      if (p.parentSpanId) msg.parentSpanId = p.parentSpanId
      out.push(msg)
    })
    return out
  }

  async ack(id: string): Promise<void> {
    const h = this.held.get(id)
    if (!h) return
    this.held.delete(id)
    await this.call(() => h.job.moveToCompleted(undefined, h.token, false))
    await this.advanceGroup(h.q, h.job)
  }

  async nack(id: string, failure: Failure): Promise<'retry' | 'dead'> {
    const h = this.held.get(id)
    if (!h) return 'dead'
    this.held.delete(id)
    const attempt = h.job.attemptsMade + 1
    const retry = failure.retryable && attempt < (h.job.opts.attempts ?? 1)
    const reason = failure.retryable
      ? `failed ${attempt} time(s); no retries left`
      : 'failed with a non-retriable error'
    const err = graveError({ reason, error: failure.error }, failure.error.message, !failure.retryable)
    if (failure.retryAfterMs !== undefined)
      (err as Error & { retryAfterMs?: number }).retryAfterMs = failure.retryAfterMs
    await this.call(() => h.job.moveToFailed(err, h.token, false))
    if (!retry) await this.advanceGroup(h.q, h.job)
    return retry ? 'retry' : 'dead'
  }

  async release(id: string): Promise<void> {
    const h = this.held.get(id)
    if (!h) return
    this.held.delete(id)
    // Not an attempt: BullMQ counted one when the job was taken.
    await this.call(async () => {
      await this.client.hincrby(`${this.bullPrefix}:${h.q.name}:${h.job.id}`, 'ats', -1)
      await h.job.moveToWait(h.token)
    })
  }

  async deadLetter(id: string, reason: string): Promise<void> {
    const h = this.held.get(id)
    if (!h) return
    this.held.delete(id)
    await this.call(() => h.job.moveToFailed(graveError({ reason, error: null }, reason, true), h.token, false))
    await this.advanceGroup(h.q, h.job)
  }

  async recoverExpired(): Promise<number> {
    let n = 0
    for (const q of this.subs.values()) {
      const backend = (q.worker as unknown as { backend: { moveStalledJobsToWait(): Promise<string[]> } }).backend
      n += (await this.call(() => backend.moveStalledJobsToWait())).length
      if (q.fifo) await repairFifo(q, this.missingSince, this.call)
    }
    return n
  }

  async nextReadyAt(subscription: string): Promise<number | null> {
    const q = this.subs.get(subscription)
    if (!q) return null
    const first = await this.call(() =>
      this.client.zrange(`${this.bullPrefix}:${q.name}:delayed`, '0', '0', 'WITHSCORES'),
    )
    return first.length < 2 ? null : Math.floor(Number(first[1]) / DELAY_SCORE_SHIFT)
  }

  async stats(): Promise<SubscriptionStats[]> {
    return this.call(() =>
      Promise.all(
        [...this.subs.values()].map(async (q) => {
          const c = await q.queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'failed')
          const gated = q.fifo ? await q.fifo.waiting() : 0
          return {
            topic: q.sub.topic,
            subscription: q.sub.id,
            ready: (c.waiting ?? 0) + (c.prioritized ?? 0) + gated,
            delayed: c.delayed ?? 0,
            inFlight: c.active ?? 0,
            dead: c.failed ?? 0,
          }
        }),
      ),
    )
  }

  async deadLetters(filter: DeadLetterFilter = {}): Promise<DeadLetter[]> {
    return listDeadLetters(this.subs, filter, this.call)
  }

  async retryDeadLetters(ids: readonly string[] | 'all', filter: DeadLetterFilter = {}): Promise<number> {
    const jobs = await deadJobs(this.subs, ids, filter, this.call)
    for (const { job, q } of jobs) {
      await this.call(() => job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true }))
      this.announce(q.sub.id)
    }
    return jobs.length
  }

  async dropDeadLetters(ids: readonly string[] | 'all', filter: DeadLetterFilter = {}): Promise<number> {
    const jobs = await deadJobs(this.subs, ids, filter, this.call)
    for (const { job } of jobs) await this.call(() => job.remove())
    return jobs.length
  }

  onReady(listener: (subscription: string) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Readiness probe: Redis answers PING on the queue's connections. */
  async ready(): Promise<{ ok: boolean; detail?: string }> {
    await this.call(() => this.client.ping())
    if (this.workerClient.status !== 'ready')
      return { ok: false, detail: `worker connection is ${this.workerClient.status}` }
    return { ok: true }
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    clearInterval(this.renewer)
    this.listeners.clear()
    for (const q of this.subs.values()) await this.closeSub(q)
    this.subs.clear()
    for (const c of [this.sub, this.workerClient, this.client]) await c.quit().catch(() => c.disconnect())
  }

  private openSub(sub: Subscription): SubQueue {
    const name = encodeURIComponent(sub.id)
    const common = { prefix: this.bullPrefix }
    const queue = new this.bull.Queue<Payload>(name, { ...common, connection: this.client })
    const lockDuration = Math.max(1000, sub.config.visibilityTimeout * 1000)
    const worker = new this.bull.Worker<Payload>(name, null, {
      ...common,
      connection: this.workerClient,
      autorun: false,
      lockDuration,
      // Checked on every recoverExpired (the dispatcher's 1 s sweep); one instance per second
      // does the work, the others find BullMQ's check key set.
      stalledInterval: STALLED_CHECK_MS,
      maxStalledCount: sub.config.maxRetries,
      settings: {
        // This runtime's policy: RetryAfterError's delay, else fixed or doubling, capped at 1 h.
        backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) =>
          (err as (Error & { retryAfterMs?: number }) | undefined)?.retryAfterMs ?? backoffMs(sub.config, attemptsMade),
      },
    })
    worker.on('error', () => {})
    queue.on('error', () => {})
    const q: SubQueue = { sub, name, queue, worker }
    if (sub.config.type === 'fifo')
      q.fifo = new FifoGate(defineFifoScripts(this.client), `${this.target.prefix}:fifo:${name}`)
    return q
  }

  private async closeSub(q: SubQueue): Promise<void> {
    await q.worker.close(true).catch(() => {})
    await q.queue.close().catch(() => {})
  }

  private jobOptions(q: SubQueue, req: EnqueueRequest): JobsOptions {
    const c = q.sub.config
    const opts: JobsOptions = {
      attempts: c.maxRetries + 1,
      backoff: { type: 'motia' },
      removeOnComplete: true,
      removeOnFail: false,
      stackTraceLimit: 5,
    }
    const delay = c.delaySeconds * 1000 + (req.delayMs ?? 0)
    if (delay > 0) opts.delay = delay
    // An idempotency key is the job id: BullMQ ignores a second add while the job exists.
    if (req.idempotencyKey !== undefined) opts.jobId = `k-${encodeURIComponent(req.idempotencyKey)}`
    return opts
  }

  private async add(q: SubQueue, payload: Payload, req: EnqueueRequest): Promise<string> {
    const opts = this.jobOptions(q, req)
    if (!q.fifo) {
      const job = await q.queue.add(payload.topic, payload, opts)
      return messageId(q.sub.id, job.id!)
    }
    opts.jobId ??= `f-${crypto.randomUUID()}`
    const group = payload.messageGroupId ?? ''
    const verdict = await q.fifo.push(opts.jobId, group, JSON.stringify({ payload, opts }))
    if (verdict === 'release') await q.queue.add(payload.topic, payload, opts)
    return messageId(q.sub.id, opts.jobId)
  }

  /** A FIFO message left BullMQ for good: hand its group's next one over. */
  private async advanceGroup(q: SubQueue, job: Job<Payload>): Promise<void> {
    if (!q.fifo) return
    const next = await this.call(() => q.fifo!.advance(job.id!, job.data.messageGroupId ?? ''))
    if (!next) return
    const { payload, opts } = JSON.parse(next.job) as { payload: Payload; opts: JobsOptions }
    await this.call(() => q.queue.add(payload.topic, payload, opts))
    this.notify(q.sub.id)
    this.announce(q.sub.id)
  }

  private async renewLocks(): Promise<void> {
    const now = performance.now()
    const due = [...this.held.values()].filter((h) => now - h.renewedAt > (h.q.sub.config.visibilityTimeout * 1000) / 3)
    await Promise.all(
      due.map(async (h) => {
        h.renewedAt = now
        await h.job.extendLock(h.token, Math.max(1000, h.q.sub.config.visibilityTimeout * 1000)).catch(() => {})
      }),
    )
  }

  private notify(subscription: string): void {
    for (const l of this.listeners) l(subscription)
  }

  /** Wakes this process's dispatcher now and the other instances' once per event-loop turn. */
  private announce(subscription: string): void {
    this.notify(subscription)
    if (this.toAnnounce.size === 0) {
      queueMicrotask(() => {
        const subs = [...this.toAnnounce]
        this.toAnnounce.clear()
        if (this.closed) return
        this.client.publish(this.readyChannel, [this.instance, ...subs].join('\n')).catch(() => {})
      })
    }
    this.toAnnounce.add(subscription)
  }
}
