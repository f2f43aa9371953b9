/** A call whose deadline is watched; `fail` is invoked once if it is still pending at `at`. */
export interface Watched {
  at: number
  fail: () => void
}

/**
 * Handler timeouts without a timer per request: in-flight calls are registered with their
 * deadline and one interval fails the overdue ones. Precision is the sweep period, plenty for
 * timeouts measured in seconds, and it costs a Set insert/delete on the hot path.
 */
export class Deadlines {
  private readonly pending = new Set<Watched>()
  private timer?: ReturnType<typeof setInterval>

  constructor(private readonly periodMs = 25) {}

  watch(entry: Watched): void {
    this.pending.add(entry)
    if (!this.timer) {
      this.timer = setInterval(() => this.sweep(), this.periodMs)
      this.timer.unref?.()
    }
  }

  unwatch(entry: Watched): void {
    this.pending.delete(entry)
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
    this.pending.clear()
  }

  private sweep(): void {
    if (this.pending.size === 0) {
      clearInterval(this.timer)
      this.timer = undefined
      return
    }
    const now = performance.now()
    for (const e of this.pending) {
      if (e.at <= now) {
        this.pending.delete(e)
        e.fail()
      }
    }
  }
}
