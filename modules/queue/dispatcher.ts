import { serializeError } from '../../runtime/errors'
import type { StructuredLogger } from '../../runtime/logger'
import type { RuntimeMetrics, SubscriptionSeries } from '../observability/metrics/runtime-metrics'
import { FailureEpisode } from '../storage/failure-episode'
import { storageTrouble } from '../storage/storage-error'
import type { QueueAdapter, QueueMessage } from './adapter'
import type { BackgroundRunner } from './runner'
import type { SubscriptionDef } from './subscriptions'

/**
 * Moves messages from the queue store to the worker pool: per subscription, keeps up to
 * `concurrency` messages in flight, claims more as soon as one finishes or new work is
 * announced, and wakes up for delayed messages and expired leases. No polling loop on the hot
 * path: the adapter announces new messages, a timer covers delays. A store that fails (a file
 * locked elsewhere, a full disk) is logged once per episode and tried again with backoff; the
 * messages stay in the store meanwhile.
 */
export class Dispatcher {
  private readonly subs = new Map<string, SubState>()
  private timer?: ReturnType<typeof setTimeout>
  private sweeper?: ReturnType<typeof setInterval>
  private stopped = false
  private unlisten?: () => void
  private idleWaiters: (() => void)[] = []
  /** After a failed claim: the timer that pumps every subscription again. */
  private claimRetry?: ReturnType<typeof setTimeout>
  /** After a failed lease sweep, no sweep before this time (backoff). */
  private sweepAfter = 0
  private readonly claims: FailureEpisode
  private readonly settles: FailureEpisode
  private readonly sweeps: FailureEpisode
  /** Claimed messages whose handler has not returned yet (what a drain releases at its deadline). */
  private readonly handling = new Set<string>()
  /** Every message being handled or settled. */
  private readonly processing = new Set<Promise<void>>()
  /** Released by a drain: the outcome of their (terminated) run is not recorded. */
  private readonly abandoned = new Set<string>()

  constructor(
    private readonly adapter: QueueAdapter,
    private readonly runner: BackgroundRunner,
    private readonly log: StructuredLogger,
    /** The runtime's metrics, when on (read per message: the metrics module may come later). */
    private readonly metrics: () => RuntimeMetrics | undefined = () => undefined,
  ) {
    this.claims = new FailureEpisode(log, 'queue: claiming messages')
    this.settles = new FailureEpisode(log, 'queue: recording message outcomes')
    this.sweeps = new FailureEpisode(log, 'queue: lease recovery', { minMs: 1000 })
  }

  setSubscriptions(defs: readonly SubscriptionDef[]): void {
    const next = new Map<string, SubState>()
    for (const def of defs) {
      const prev = this.subs.get(def.id)
      next.set(def.id, {
        def,
        inFlight: prev?.inFlight ?? 0,
        ahead: prev?.ahead ?? [],
        runMs: prev?.runMs ?? -1,
        pumping: false,
        again: false,
        announced: 0,
        drainedAt: -1,
      })
    }
    // A subscription no longer declared: what it claimed ahead goes back to the store.
    for (const [id, s] of this.subs) if (!next.has(id)) for (const a of s.ahead) void this.giveBack(a.msg.id)
    this.subs.clear()
    for (const [k, v] of next) this.subs.set(k, v)
  }

  start(): void {
    this.stopped = false
    this.unlisten = this.adapter.onReady?.((id) => this.pump(id))
    // Leases of handlers that vanished (crash, kill -9) come back after their visibility timeout.
    this.sweeper = setInterval(() => void this.recover(), 1000)
    this.sweeper.unref?.()
    void this.recover()
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.unlisten?.()
    if (this.timer) clearTimeout(this.timer)
    if (this.sweeper) clearInterval(this.sweeper)
    if (this.claimRetry) clearTimeout(this.claimRetry)
    this.claimRetry = undefined
  }

  /**
   * Graceful shutdown: claims no more, lets running handlers finish until `deadline` (epoch ms),
   * then releases the messages still running (visible again at once, the attempt not counted)
   * so another instance, or this one after a restart, takes them without waiting for their
   * lease. Returns how many were released.
   */
  async drain(deadline: number): Promise<number> {
    await this.stop()
    let timer: ReturnType<typeof setTimeout> | undefined
    await Promise.race([
      Promise.allSettled([...this.processing]),
      new Promise<void>((r) => {
        timer = setTimeout(r, Math.max(0, deadline - Date.now()))
      }),
    ])
    clearTimeout(timer)
    const unfinished = [...this.handling]
    for (const id of unfinished) this.abandoned.add(id)
    const waiting = [...this.subs.values()].flatMap((s) => s.ahead.splice(0).map((a) => a.msg.id))
    await Promise.all([...unfinished, ...waiting].map((id) => this.giveBack(id)))
    return unfinished.length
  }

  /**
   * Resolves once nothing is in flight and no message is ready; with `delayed`, also waits for
   * messages in their delay or retry backoff (the test harness's `drain()`).
   */
  async idle(options: { delayed?: boolean } = {}): Promise<void> {
    for (;;) {
      const busy = [...this.subs.values()].some((s) => s.inFlight > 0 || s.pumping)
      if (!busy) {
        const stats = await this.adapter.stats()
        if (stats.every((s) => s.ready === 0 && s.inFlight === 0 && (!options.delayed || s.delayed === 0))) return
        this.pumpAll()
      }
      await new Promise<void>((r) => this.idleWaiters.push(r))
    }
  }

  pumpAll(): void {
    for (const id of this.subs.keys()) this.pump(id)
  }

  /** New work may be ready (announced, delayed, recovered): claims even if the last claim came back short. */
  pump(id: string): void {
    const s = this.subs.get(id)
    if (!s) return
    s.announced++
    this.refill(s)
  }

  private refill(s: SubState): void {
    if (this.stopped) return
    if (s.pumping) {
      s.again = true
      return
    }
    s.pumping = true
    void this.fill(s).finally(() => {
      s.pumping = false
      if (s.again) {
        s.again = false
        this.refill(s)
      } else this.notifyIdle()
    })
  }

  private async fill(s: SubState): Promise<void> {
    const max = s.def.config.concurrency
    // Refill in batches: wait until half the slots are free (one claim statement for many
    // messages) unless the subscription is idle, where latency matters more. A local claim
    // (RabbitMQ's deliveries, already here) costs nothing: every free slot is refilled at once.
    const low = this.adapter.localClaims ? max - 1 : Math.floor(max / 2)
    // Claims are batched (ahead of free slots; none after a short one) except for FIFO, where
    // an ack makes its group's next message claimable unannounced, and local claims, which cost
    // nothing.
    const batching = !this.adapter.localClaims && s.def.config.type !== 'fifo'
    // Claim-ahead: a claim also takes the next refill's messages, which wait here leased, so a
    // store transaction carries twice the messages. Only while handlers are quick, so a message
    // waits here a moment, not a good part of its lease (it is not renewed: the run gets what is
    // left of it).
    const reserve = batching && s.runMs <= AHEAD_MAX_RUN_MS ? max - low : 0
    const staleMs = Math.min(AHEAD_MAX_WAIT_MS, (s.def.config.visibilityTimeout * 1000) / 4)
    while (!this.stopped && s.inFlight < max) {
      const next = s.ahead.shift()
      if (next) {
        // Waited too long for a slot (handlers turned slow): back to the store, so its run gets
        // nearly all of its lease.
        if (Date.now() - next.claimedAt > staleMs) {
          void this.giveBack(next.msg.id)
          s.announced++
        } else this.startMessage(s, next.msg)
        continue
      }
      if (s.drainedAt === s.announced || (s.inFlight > low && s.inFlight > 0)) return
      const wanted = max - s.inFlight + reserve
      const seen = s.announced
      let batch: QueueMessage[]
      try {
        batch = await this.adapter.claim(s.def.id, wanted)
        this.claims.succeeded()
      } catch (err) {
        this.retryClaims(this.claims.failed(err))
        return
      }
      // A short batch took every ready message: until new work is announced, a freed slot claims
      // nothing (at 500 msg/s that empty claim was a third of the store's transactions).
      const drained = batching && batch.length < wanted
      if (drained) s.drainedAt = seen
      if (drained || batch.length === 0) void this.scheduleDelayed(s.def.id)
      if (batch.length === 0) return
      const claimedAt = Date.now()
      for (const msg of batch) {
        if (this.stopped || s.inFlight >= max) s.ahead.push({ msg, claimedAt })
        else this.startMessage(s, msg)
      }
      // The batch's jobs leave now: a claim woken by RabbitMQ's deliveries runs in the
      // setImmediate phase, and the pool's end-of-turn post would wait a whole loop iteration.
      this.runner.flush?.()
    }
  }

  private startMessage(s: SubState, msg: QueueMessage): void {
    s.inFlight++
    let released = false
    const release = () => {
      if (released) return
      released = true
      s.inFlight--
      this.refill(s)
    }
    this.handling.add(msg.id)
    const done = this.process(s, msg, release).finally(() => {
      release()
      this.handling.delete(msg.id)
      this.processing.delete(done)
    })
    this.processing.add(done)
  }

  /** A claimed message that will not run here: visible again at once, its attempt not counted. */
  private giveBack(id: string): Promise<void> {
    return this.adapter.release(id).catch((err) =>
      this.log.error(`queue: message ${id} could not be released; it comes back after its visibility timeout`, {
        error: serializeError(err),
      }),
    )
  }

  /**
   * Runs one message and settles it in the store. `release` frees its slot as soon as the
   * outcome is queued for the store's next group commit, so the claim that refills the slot
   * joins the same transaction as the ack (one commit per round instead of two). The ack is
   * written before that claim in the transaction, so a FIFO group's next message is claimable.
   */
  private async process(s: SubState, msg: QueueMessage, release: () => void): Promise<void> {
    const { def, step } = s.def
    const m = this.seriesOf(s)
    // Enqueue → first start; a redelivery's wait includes its backoff, so it is left out.
    if (m && msg.attempt === 1) m.wait.record(Math.max(0, Date.now() - msg.enqueuedAt) / 1000)
    try {
      let input = msg.data
      if (def.input) {
        const r = def.input.validate(msg.data)
        if (!r.ok) {
          const reason = `input does not match the schema: ${r.issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`
          this.log
            .child({ step: step.name, traceId: msg.traceId })
            .error(`message ${msg.id} sent to dead letters: ${reason}`)
          await this.adapter.deadLetter(msg.id, reason)
          m?.deadLettered.add(1)
          return
        }
        input = r.value
      }
      const started = performance.now()
      const out = await this.runner.run({
        step,
        def,
        input,
        traceId: msg.traceId,
        attempt: msg.attempt,
        messageId: msg.id,
        parentSpanId: msg.parentSpanId,
      })
      const took = performance.now() - started
      s.runMs = s.runMs < 0 ? took : s.runMs + (took - s.runMs) / 8
      this.handling.delete(msg.id)
      // Released at a drain's deadline: back in the queue already, whatever this run says.
      if (this.abandoned.delete(msg.id)) return
      if (out.status !== 'error') {
        const acked = this.adapter.ack(msg.id)
        release()
        await acked
        this.settles.succeeded()
        m?.processed.add(1)
        return
      }
      s.announced++ // a retry may be ready again at once
      const nacked = this.adapter.nack(msg.id, {
        error: out.error,
        retryable: out.retryable,
        ...(out.retryAfterMs !== undefined ? { retryAfterMs: out.retryAfterMs } : {}),
      })
      release()
      const verdict = await nacked
      this.settles.succeeded()
      if (verdict === 'dead') m?.deadLettered.add(1)
      else m?.retried.add(1)
      const log = this.log.child({ step: step.name, traceId: msg.traceId })
      if (verdict === 'dead') {
        log.error(
          `message ${msg.id} on "${def.topic}" failed (attempt ${msg.attempt}) and went to dead letters: ${out.error.message}`,
          {
            error: out.error,
          },
        )
      } else {
        log.warn(
          `message ${msg.id} on "${def.topic}" failed (attempt ${msg.attempt}); will retry: ${out.error.message}`,
        )
        void this.scheduleDelayed(s.def.id)
      }
    } catch (err) {
      // A store failure: the lease expires and the message comes back (at-least-once).
      if (storageTrouble(err)) this.settles.failed(err, 'their messages come back after the visibility timeout')
      else this.log.error(`queue dispatch failed for message ${msg.id}`, { error: serializeError(err) })
    }
  }

  /** The subscription's metric series, looked up once per metrics registry (not per message). */
  private seriesOf(s: SubState): SubscriptionSeries | undefined {
    const metrics = this.metrics()
    if (s.seriesFor !== metrics) {
      s.seriesFor = metrics
      s.series = metrics?.subscription(s.def.def.topic, s.def.id)
    }
    return s.series
  }

  /** One timer, however many subscriptions failed to claim: every one is pumped again. */
  private retryClaims(ms: number): void {
    if (this.claimRetry || this.stopped) return
    this.claimRetry = setTimeout(() => {
      this.claimRetry = undefined
      this.pumpAll()
    }, ms)
  }

  private async scheduleDelayed(id: string): Promise<void> {
    if (this.stopped) return
    const at = await this.adapter.nextReadyAt(id).catch(() => null)
    if (at === null || this.stopped) return
    const wait = Math.max(0, at - Date.now())
    // One timer for the soonest delayed message; pumping everything then is cheap.
    if (this.timer && this.timerAt !== undefined && this.timerAt <= at) return
    if (this.timer) clearTimeout(this.timer)
    this.timerAt = at
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.timerAt = undefined
      this.pumpAll()
    }, wait + 1)
  }
  private timerAt?: number

  private async recover(): Promise<void> {
    if (this.stopped || Date.now() < this.sweepAfter) return
    try {
      const n = await this.adapter.recoverExpired()
      this.sweeps.succeeded()
      if (n > 0) this.log.warn(`${n} message(s) whose handler vanished are visible again (visibility timeout)`)
      this.pumpAll()
    } catch (err) {
      this.sweepAfter = Date.now() + this.sweeps.failed(err)
    }
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters
    this.idleWaiters = []
    for (const w of waiters) w()
  }
}

interface SubState {
  def: SubscriptionDef
  inFlight: number
  /** Claimed ahead of a free slot (leased, not running yet), oldest first. */
  ahead: { msg: QueueMessage; claimedAt: number }[]
  /** Recent handler runs' duration (ms, moving average; -1 before the first): claim-ahead is for quick handlers. */
  runMs: number
  pumping: boolean
  again: boolean
  /** Counts the calls to pump(): new work may be ready since the last claim. */
  announced: number
  /** `announced` as it was when a claim came back short: equal to it, the store holds no ready message. */
  drainedAt: number
  seriesFor?: RuntimeMetrics
  series?: SubscriptionSeries
}

/** Claim-ahead stops while a subscription's handlers take longer than this on average. */
const AHEAD_MAX_RUN_MS = 50

/** A message claimed ahead that waited longer for a slot goes back to the store. */
const AHEAD_MAX_WAIT_MS = 1000
