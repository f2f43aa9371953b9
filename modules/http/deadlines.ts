/**
 * Handler timeouts without a timer per request: in-flight calls are registered with their
 * deadline and one interval rejects the overdue ones. Precision is the sweep period, which is
 * plenty for timeouts measured in seconds and costs nothing on the hot path.
 */
export class Deadlines {
  private readonly pending = new Set<{ at: number; fail: () => void }>()
  private timer?: ReturnType<typeof setInterval>

  constructor(private readonly periodMs = 25) {}

  /** Resolves as `work` does, or rejects with `onTimeout()` once `ms` have passed. */
  race<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry = { at: performance.now() + ms, fail: () => reject(onTimeout()) }
      this.pending.add(entry)
      this.ensureTimer()
      work.then(
        (v) => {
          this.pending.delete(entry)
          resolve(v)
        },
        (e) => {
          this.pending.delete(entry)
          reject(e)
        },
      )
    })
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
    this.pending.clear()
  }

  private ensureTimer(): void {
    if (this.timer) return
    this.timer = setInterval(() => this.sweep(), this.periodMs)
    this.timer.unref?.()
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
