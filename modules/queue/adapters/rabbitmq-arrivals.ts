/**
 * Copies this process published and has not seen come back yet: the delayed ones (a delay or a
 * retry backoff, waiting in a TTL'd delay queue) for `delayed` in stats and `nextReadyAt`, and,
 * when `all` is set (tests), the immediate ones too, so a test can wait until what the broker
 * confirmed has reached the consumer (delivery is pushed, asynchronously) instead of sleeping.
 * A copy another instance consumed never comes back here: entries are forgotten a few seconds
 * after they were due.
 */
export class Arrivals {
  private readonly pending = new Map<string, { sub: string; dueAt: number; delayed: boolean }>()
  private waiters: { upTo: number; full: (sub: string) => boolean; resolve: () => void }[] = []

  constructor(
    private readonly now: () => number,
    private readonly all: boolean,
  ) {}

  expect(sub: string, messageId: string, attempt: number, dueAt: number, delayed: boolean): void {
    if (!delayed && !this.all) return
    this.pending.set(key(sub, messageId, attempt), { sub, dueAt, delayed })
  }

  arrived(sub: string, messageId: string, attempt: number): void {
    if (this.pending.size === 0 || !this.pending.delete(key(sub, messageId, attempt))) return
    if (this.waiters.length > 0) this.check()
  }

  /** Delayed copies of `sub` not back yet (stats). */
  delayed(sub: string): number {
    this.forget()
    let n = 0
    for (const p of this.pending.values()) if (p.sub === sub && p.delayed) n++
    return n
  }

  /** The soonest due time of a delayed copy of `sub`, or null. */
  next(sub: string): number | null {
    this.forget()
    let at: number | null = null
    for (const p of this.pending.values()) if (p.sub === sub && p.delayed && (at === null || p.dueAt < at)) at = p.dueAt
    return at
  }

  /**
   * Resolves when every copy due by `upTo` has come back, except to a subscription whose
   * consumer is `full` (its prefetch window: the broker sends no more until an ack).
   */
  settled(upTo: number, full: (sub: string) => boolean): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push({ upTo, full, resolve })
      this.check()
    })
  }

  private check(): void {
    this.waiters = this.waiters.filter((w) => {
      for (const p of this.pending.values()) if (p.dueAt <= w.upTo && !w.full(p.sub)) return true
      w.resolve()
      return false
    })
  }

  private forget(): void {
    const cutoff = this.now() - 5000
    for (const [k, p] of this.pending) if (p.dueAt < cutoff) this.pending.delete(k)
  }
}

function key(sub: string, messageId: string, attempt: number): string {
  return `${sub}\n${messageId}\n${attempt}`
}
