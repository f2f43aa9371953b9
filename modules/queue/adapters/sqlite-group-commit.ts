import type { Database } from 'bun:sqlite'
import { MotiaError } from '../../../runtime/errors'
import { BUSY_WAIT_MS } from '../../storage/busy-retry'
import { storageError, storageTrouble } from '../../storage/storage-error'

/**
 * How long a deferred write (writeDeferred) waits for another write's commit to join. Acks
 * committed this late are only a longer window in which a kill -9 makes their messages come back
 * (at-least-once); their promises settle at the commit.
 */
const DEFER_MS = 5

/** A write waiting for the group commit, with the callbacks that settle its promise. */
interface PendingWrite {
  run: () => unknown
  resolve: (v: any) => void
  reject: (e: unknown) => void
  /** Set when the file was first found locked: past it, the write fails with E_STORAGE_BUSY. */
  deadline?: number
}

/**
 * Group commit: writes issued in the same turn of the event loop share one IMMEDIATE
 * transaction, and each promise settles once that transaction is committed (durable). A
 * commit costs ~100 µs on this kind of disk, so one per message capped throughput at a few
 * thousand messages/s. A file locked by another process is tried again on a timer (5 ms
 * doubling to 200 ms: the engine thread never waits on it longer than its connection's short
 * busy timeout), for up to BUSY_WAIT_MS per write; any SQLite failure rejects as a MotiaError
 * naming the file.
 */
export class GroupCommit {
  private pending: PendingWrite[] = []
  private flushScheduled = false
  /** While only deferred writes are pending: the timer that commits them if no other write comes. */
  private deferTimer: ReturnType<typeof setTimeout> | undefined
  /** While the file is locked elsewhere: the timer of the next attempt, and the wait before it. */
  private busyTimer: ReturnType<typeof setTimeout> | undefined
  private busyWaitMs = 0
  private readonly commit: (ops: PendingWrite[]) => unknown[]

  constructor(
    private readonly db: Database,
    private readonly file: string,
  ) {
    this.commit = db.transaction((ops: PendingWrite[]) => ops.map((op) => op.run())).immediate as never
  }

  write<T>(run: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ run, resolve, reject })
      if (!this.flushScheduled) {
        this.flushScheduled = true
        setImmediate(() => this.flush())
      }
    })
  }

  /**
   * A write whose commit may wait up to DEFER_MS for another write to share it (an ack: the
   * claim that refills its slot, or the next enqueue, usually comes within that time). Its
   * promise still settles only once it is committed.
   */
  writeDeferred<T>(run: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ run, resolve, reject })
      if (!this.flushScheduled && !this.deferTimer) this.deferTimer = setTimeout(() => this.flush(), DEFER_MS)
    })
  }

  /** Commits what is pending now. Reads call it first; while the file is locked elsewhere it waits for its timer. */
  flush(): void {
    if (this.busyTimer) return
    this.flushScheduled = false
    clearTimeout(this.deferTimer)
    this.deferTimer = undefined
    const ops = this.pending
    if (ops.length === 0) return
    this.pending = []
    let results: unknown[]
    try {
      results = this.commit(ops)
    } catch (err) {
      const trouble = storageTrouble(err)
      if (trouble === 'busy') {
        this.retryWhenFree(ops, err)
        return
      }
      if (trouble) {
        // A full disk, a read-only file: every write of the batch would fail the same way.
        const failure = storageError(err, this.file)
        for (const op of ops) op.reject(failure)
        return
      }
      // One bad write must not fail the others: replay them one transaction each.
      const locked: PendingWrite[] = []
      for (const op of ops) {
        try {
          op.resolve(this.db.transaction(op.run).immediate())
        } catch (err) {
          if (storageTrouble(err) === 'busy') locked.push(op)
          else op.reject(storageError(err, this.file))
        }
      }
      if (locked.length > 0) this.retryWhenFree(locked, err)
      return
    }
    this.busyWaitMs = 0
    for (let i = 0; i < ops.length; i++) ops[i]!.resolve(results[i])
  }

  /** Commits what is pending; what a lock held elsewhere still keeps out fails now. */
  close(): void {
    clearTimeout(this.deferTimer)
    this.deferTimer = undefined
    clearTimeout(this.busyTimer)
    this.busyTimer = undefined
    this.flush()
    if (!this.busyTimer) return
    clearTimeout(this.busyTimer)
    this.busyTimer = undefined
    const failure = new MotiaError('E_STORAGE_BUSY', `${this.file}: closed while another connection held its lock`)
    for (const op of this.pending) op.reject(failure)
    this.pending = []
  }

  /** The file is locked elsewhere: these writes go first in a later commit, until their deadline. */
  private retryWhenFree(ops: PendingWrite[], err: unknown): void {
    const now = Date.now()
    const waiting: PendingWrite[] = []
    for (const op of ops) {
      op.deadline ??= now + BUSY_WAIT_MS
      if (op.deadline <= now) op.reject(storageError(err, this.file))
      else waiting.push(op)
    }
    this.pending = [...waiting, ...this.pending]
    if (this.pending.length === 0) return
    this.busyWaitMs = this.busyWaitMs === 0 ? 5 : Math.min(this.busyWaitMs * 2, 200)
    this.flushScheduled = true // new writes join the timed attempt
    this.busyTimer = setTimeout(() => {
      this.busyTimer = undefined
      this.flush()
    }, this.busyWaitMs)
  }
}
