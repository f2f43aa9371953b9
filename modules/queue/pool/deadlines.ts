/** Something with a deadline: `due` is a `performance.now()` time, set by Deadlines. */
export interface Timed {
  due: number
}

/**
 * The deadlines of the pool's jobs on one timer, armed for the earliest: a job costs a Set
 * entry instead of a setTimeout and a clearTimeout of its own. The timer is cleared once no
 * job is left, so an idle pool is never woken.
 */
export class Deadlines<T extends Timed> {
  private readonly live = new Set<T>()
  private timer: ReturnType<typeof setTimeout> | undefined
  private timerAt = Number.POSITIVE_INFINITY

  constructor(private readonly expire: (entry: T) => void) {}

  /** (Re)starts `entry`'s deadline, `ms` from now. */
  set(entry: T, ms: number): void {
    entry.due = performance.now() + ms
    this.live.add(entry)
    if (entry.due < this.timerAt) this.arm(entry.due)
  }

  clear(entry: T): void {
    if (this.live.delete(entry) && this.live.size === 0) this.disarm()
  }

  /** Forgets every deadline. */
  stop(): void {
    this.live.clear()
    this.disarm()
  }

  private arm(at: number): void {
    clearTimeout(this.timer)
    this.timerAt = at
    this.timer = setTimeout(() => this.fire(), Math.max(0, at - performance.now()))
  }

  private disarm(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    this.timerAt = Number.POSITIVE_INFINITY
  }

  private fire(): void {
    this.timer = undefined
    this.timerAt = Number.POSITIVE_INFINITY
    const now = performance.now()
    const due: T[] = []
    let next = Number.POSITIVE_INFINITY
    for (const e of this.live) {
      if (e.due <= now) due.push(e)
      else if (e.due < next) next = e.due
    }
    for (const e of due) this.live.delete(e)
    if (next < Number.POSITIVE_INFINITY) this.arm(next)
    // A late timer (a busy thread) can find several due: they still fail in deadline order.
    if (due.length > 1) due.sort((x, y) => x.due - y.due)
    for (const e of due) this.expire(e)
  }
}
