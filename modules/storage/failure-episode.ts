import { serializeError } from '../../runtime/errors'
import type { StructuredLogger } from '../../runtime/logger'

/**
 * A background task that fails the same way tick after tick (a locked file, a full disk): one
 * log line when the trouble starts and one when it is over, not one per tick, and a growing
 * wait between attempts.
 */
export class FailureEpisode {
  private failures = 0
  private delayMs = 0

  constructor(
    private readonly log: Pick<StructuredLogger, 'info' | 'warn' | 'error'>,
    /** What fails, as the start of the log line: `queue: claiming messages`. */
    private readonly what: string,
    private readonly options: { level?: 'warn' | 'error'; minMs?: number; maxMs?: number } = {},
  ) {}

  get failing(): boolean {
    return this.failures > 0
  }

  /** Records a failure and returns how long to wait before the next attempt. */
  failed(err: unknown, consequence = 'retrying with backoff'): number {
    if (this.failures++ === 0) {
      const message = err instanceof Error ? err.message : String(err)
      const code = (err as { code?: unknown } | null)?.code
      this.log[this.options.level ?? 'error'](`${this.what} failed: ${message}; ${consequence}`, {
        error: serializeError(err),
        ...(typeof code === 'string' ? { code } : {}),
      })
    }
    const min = this.options.minMs ?? 100
    this.delayMs = this.delayMs === 0 ? min : Math.min(this.options.maxMs ?? 30_000, this.delayMs * 2)
    return this.delayMs
  }

  /** Ends an episode, if one was going on, with one line saying so. */
  succeeded(): void {
    if (this.failures === 0) return
    this.log.info(`${this.what} works again (after ${this.failures} failed attempt(s))`)
    this.failures = 0
    this.delayMs = 0
  }
}
