import type { Database } from 'bun:sqlite'
import { defaultConfig } from '../../../runtime/config/schema'
import type { SerializedError } from '../../../runtime/errors'
import type { QueueConfig } from '../../../sdk/types'
import { openSqlite, type SqliteOptions } from '../../storage/sqlite-database'
import { storageError } from '../../storage/storage-error'
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
import { backoffMs, shouldRetry } from '../retry-policy'
import { GroupCommit } from './sqlite-group-commit'
import {
  deadFilter,
  type FullRow,
  idListStatements,
  migrate,
  type Row,
  SCHEMA,
  statements,
  toMessage,
} from './sqlite-statements'

/** For messages of a subscription no longer declared (e.g. its step was removed): config.yaml's defaults. */
const fallback = (): Readonly<QueueConfig> => defaultConfig().queue.defaults

/**
 * The durable queue in the project's SQLite file (WAL). Every state change is one statement or
 * one IMMEDIATE transaction, so several threads or processes on the file never claim the same
 * message. At-least-once: a message is deleted only by `ack`; a lease that expires (the handler
 * vanished, the process was killed) makes it visible again.
 */
export class SqliteQueueAdapter implements QueueAdapter {
  readonly kind: string = 'sqlite'
  private subs = new Map<string, Subscription>()
  private byTopic = new Map<string, Subscription[]>()
  private readonly listeners = new Set<(subscription: string) => void>()
  private readonly now: () => number
  private readonly q: ReturnType<typeof statements>
  private readonly ids: ReturnType<typeof idListStatements>
  /** The acks of this turn, deleted by one statement in the next group commit. */
  private acks: { ids: number[]; done: Promise<void> } | undefined
  private readonly file: string
  private readonly group: GroupCommit

  static open(path: string, options?: SqliteOptions & { now?: () => number }): SqliteQueueAdapter {
    return new SqliteQueueAdapter(openSqlite(path, options), { ...options, owned: true })
  }

  constructor(
    private readonly db: Database,
    private readonly options: { now?: () => number; owned?: boolean } = {},
  ) {
    this.now = options.now ?? Date.now
    this.file = db.filename || ':memory:'
    db.run(SCHEMA)
    migrate(db)
    this.q = statements(db)
    this.ids = idListStatements(db)
    this.group = new GroupCommit(db, this.file)
  }

  /** Writes share the transaction of their event-loop turn (sqlite-group-commit.ts). */
  private write<T>(run: () => T): Promise<T> {
    return this.group.write(run)
  }

  private flush(): void {
    this.group.flush()
  }

  /** A statement outside the group commit: a failure is a MotiaError naming the file. */
  private guard<T>(run: () => T): T {
    try {
      return run()
    } catch (err) {
      throw storageError(err, this.file)
    }
  }

  setSubscriptions(subs: readonly Subscription[]): void {
    this.subs = new Map(subs.map((s) => [s.id, s]))
    this.byTopic = new Map()
    for (const s of subs) {
      const list = this.byTopic.get(s.topic) ?? []
      list.push(s)
      this.byTopic.set(s.topic, list)
    }
  }

  async enqueue(req: EnqueueRequest): Promise<string[]> {
    const subs = this.byTopic.get(req.topic)
    if (!subs || subs.length === 0) return []
    const data = JSON.stringify(req.data ?? null)
    const now = this.now()
    const written = this.write(() => {
      const out: string[] = []
      for (const s of subs) {
        const visibleAt = now + s.config.delaySeconds * 1000 + (req.delayMs ?? 0)
        const { changes, lastInsertRowid } = this.q.insert.run(
          s.id,
          req.topic,
          data,
          req.traceId,
          req.messageGroupId ?? null,
          req.idempotencyKey ?? null,
          visibleAt,
          now,
          req.parentSpanId ?? null,
        )
        if (changes > 0) out.push(String(lastInsertRowid))
        else if (req.idempotencyKey !== undefined) {
          const existing = this.q.byIdem.get(s.id, req.idempotencyKey)
          if (existing) out.push(String(existing.id))
        }
      }
      return out
    })
    // Announced before the commit: a claim made now joins the same transaction, after the
    // insert, so a message waits for one commit (its claim's promise settles with it) not two.
    for (const s of subs) this.announce(s.id)
    return written
  }

  async claim(subscription: string, max: number): Promise<QueueMessage[]> {
    if (max <= 0) return []
    const sub = this.subs.get(subscription)
    const config = sub?.config ?? fallback()
    const ready = config.type === 'fifo' ? this.q.readyFifo : this.q.ready
    // In the group commit, after the writes queued before it (so it sees their messages): a
    // claim shares the transaction of the enqueues and acks of the same turn.
    const rows = await this.write(() => {
      const now = this.now()
      const found = ready.all(subscription, now, max) as Row[]
      if (found.length === 0) return found
      const ids: number[] = []
      for (const row of found) {
        ids.push(row.id)
        row.attempt++
      }
      this.ids.lease(now + config.visibilityTimeout * 1000, ids)
      return found
    })
    return rows.map((r) => toMessage(r, subscription))
  }

  /**
   * The acks of one turn share one DELETE (and one promise): the op joins the group commit at
   * the first ack's place, before any claim queued after it, so a FIFO group's next message is
   * claimable in the same transaction. Replayed alone after a failed batch, it deletes the same ids.
   * Deferred: the commit of the claim that refills the slots, or of the next enqueue, carries it
   * (at 500 msg/s an ack had a transaction of its own).
   */
  ack(id: string): Promise<void> {
    let batch = this.acks
    if (!batch) {
      const ids: number[] = []
      const next = {
        ids,
        done: this.group.writeDeferred(() => {
          if (this.acks === next) this.acks = undefined
          this.ids.delete(ids)
        }),
      }
      batch = this.acks = next
    }
    batch.ids.push(Number(id))
    return batch.done
  }

  async nack(id: string, failure: Failure): Promise<'retry' | 'dead'> {
    const now = this.now()
    return this.write(() => {
      const row = this.q.get.get(Number(id)) as FullRow | null
      if (!row) return 'dead' as const
      const config = this.subs.get(row.subscription)?.config ?? fallback()
      if (shouldRetry(config, row.attempt, failure.retryable)) {
        const delay = failure.retryAfterMs ?? backoffMs(config, row.attempt)
        this.q.retry.run(now + delay, JSON.stringify(failure.error), row.id)
        return 'retry' as const
      }
      const reason = failure.retryable
        ? `failed ${row.attempt} time(s); no retries left`
        : 'failed with a non-retriable error'
      this.bury(row, failure.error, reason, now)
      return 'dead' as const
    })
  }

  async release(id: string): Promise<void> {
    await this.write(() => this.q.release.run(Number(id)))
  }

  async deadLetter(id: string, reason: string): Promise<void> {
    const now = this.now()
    await this.write(() => {
      const row = this.q.get.get(Number(id)) as FullRow | null
      if (row) this.bury(row, null, reason, now)
    })
  }

  async recoverExpired(): Promise<number> {
    this.flush()
    const now = this.now()
    // Maintenance: a locked file fails at once (after the connection's short busy timeout), and
    // the dispatcher's sweep tries again on its next tick.
    const recovered = this.guard(() =>
      this.db
        .transaction(() => {
          const rows = this.q.expired.all(now) as FullRow[]
          for (const row of rows) {
            const config = this.subs.get(row.subscription)?.config ?? fallback()
            if (row.attempt > config.maxRetries) {
              this.bury(row, null, `handler did not finish within the visibility timeout, ${row.attempt} time(s)`, now)
            } else this.q.unlease.run(row.id)
          }
          return rows
        })
        .immediate(),
    )
    for (const s of new Set(recovered.map((r) => r.subscription))) this.announce(s)
    return recovered.length
  }

  async nextReadyAt(subscription: string): Promise<number | null> {
    this.flush()
    // A FIFO group's later messages are not counted: while its oldest runs they are not
    // claimable, and a time in the past would have the dispatcher claim again at once, in a loop.
    const next = this.subs.get(subscription)?.config.type === 'fifo' ? this.q.nextVisibleFifo : this.q.nextVisible
    return this.guard(() => (next.get(subscription) as { at: number | null } | null)?.at ?? null)
  }

  async stats(): Promise<SubscriptionStats[]> {
    this.flush()
    const now = this.now()
    const out = new Map<string, SubscriptionStats>()
    const entry = (subscription: string, topic: string) => {
      let e = out.get(subscription)
      if (!e) {
        e = { topic, subscription, ready: 0, delayed: 0, inFlight: 0, dead: 0, oldestReadyAgeMs: 0 }
        out.set(subscription, e)
      }
      return e
    }
    for (const s of this.subs.values()) entry(s.id, s.topic)
    for (const r of this.guard(() => this.q.stats.all(now)) as {
      subscription: string
      topic: string
      ready: number
      delayed: number
      inflight: number
      oldest: number | null
    }[]) {
      Object.assign(entry(r.subscription, r.topic), {
        ready: r.ready,
        delayed: r.delayed,
        inFlight: r.inflight,
        oldestReadyAgeMs: r.oldest === null ? 0 : Math.max(0, now - r.oldest),
      })
    }
    for (const r of this.guard(() => this.q.deadStats.all()) as { subscription: string; topic: string; n: number }[]) {
      entry(r.subscription, r.topic).dead = r.n
    }
    return [...out.values()].sort(
      (a, b) => a.topic.localeCompare(b.topic) || a.subscription.localeCompare(b.subscription),
    )
  }

  async deadLetters(filter: DeadLetterFilter = {}): Promise<DeadLetter[]> {
    this.flush()
    const { where, params } = deadFilter(filter)
    const rows = this.guard(() =>
      this.db
        .query(`SELECT * FROM motia_dead_letters ${where} ORDER BY failed_at, id LIMIT ${filter.limit ?? 1000}`)
        .all(...params),
    ) as {
      id: number
      subscription: string
      topic: string
      data: string
      trace_id: string
      attempts: number
      error: string | null
      reason: string
      failed_at: number
      enqueued_at: number
    }[]
    return rows.map((r) => ({
      id: String(r.id),
      topic: r.topic,
      subscription: r.subscription,
      data: JSON.parse(r.data),
      traceId: r.trace_id,
      error: r.error ? (JSON.parse(r.error) as SerializedError) : null,
      reason: r.reason,
      attempts: r.attempts,
      failedAt: r.failed_at,
      enqueuedAt: r.enqueued_at,
    }))
  }

  async retryDeadLetters(ids: readonly string[] | 'all', filter: DeadLetterFilter = {}): Promise<number> {
    const now = this.now()
    const chosen = await this.chooseDead(ids, filter)
    this.guard(() =>
      this.db
        .transaction(() => {
          for (const id of chosen) {
            this.q.resurrect.run(now, id)
            this.q.deleteDead.run(id)
          }
        })
        .immediate(),
    )
    for (const s of this.subs.keys()) this.announce(s)
    return chosen.length
  }

  async dropDeadLetters(ids: readonly string[] | 'all', filter: DeadLetterFilter = {}): Promise<number> {
    const chosen = await this.chooseDead(ids, filter)
    this.guard(() =>
      this.db.transaction(() => {
        for (const id of chosen) this.q.deleteDead.run(id)
      })(),
    )
    return chosen.length
  }

  onReady(listener: (subscription: string) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  async close(): Promise<void> {
    this.group.close()
    this.listeners.clear()
    if (this.options.owned) this.db.close()
  }

  private async chooseDead(ids: readonly string[] | 'all', filter: DeadLetterFilter): Promise<number[]> {
    if (ids !== 'all') return ids.map(Number)
    return (await this.deadLetters(filter)).map((d) => Number(d.id))
  }

  private bury(row: FullRow, error: SerializedError | null, reason: string, now: number): void {
    this.q.insertDead.run(
      row.id,
      row.subscription,
      row.topic,
      row.data,
      row.trace_id,
      row.group_id,
      row.attempt,
      error ? JSON.stringify(error) : null,
      reason,
      now,
      row.enqueued_at,
    )
    this.q.delete.run(row.id)
  }

  private announce(subscription: string): void {
    for (const l of this.listeners) l(subscription)
  }
}
