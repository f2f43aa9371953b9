import type { LogRecord } from '../../../runtime/logger'

/**
 * A step worker's log lines that were queued but not yet posted (the outbox posts once per
 * event-loop turn) are kept in memory the engine thread can read too. A handler that calls
 * `process.exit()` or hangs until its worker is terminated never reaches the next turn: the
 * engine reads its last words from here instead of losing them. Posting each line at once
 * would cost the engine a message per line; this costs a JSON line per log in the worker.
 *
 * Layout: int32 [0] bytes used, int32 [1] lines dropped for want of room, then UTF-8 JSON
 * lines. The worker resets it once its lines are posted.
 */
export const LAST_WORDS_BYTES = 256 * 1024
const HEADER = 8

export class LastWords {
  private readonly header: Int32Array
  private readonly bytes: Uint8Array
  private readonly encoder = new TextEncoder()

  constructor(buffer: SharedArrayBuffer) {
    this.header = new Int32Array(buffer, 0, 2)
    this.bytes = new Uint8Array(buffer, HEADER)
  }

  record(record: LogRecord): void {
    const used = this.header[0]!
    const line = `${JSON.stringify(record)}\n`
    // Bytes used never pass the buffer: encodeInto writes what fits; a line that does not fit is dropped whole.
    const { read, written } = this.encoder.encodeInto(line, this.bytes.subarray(used))
    if (read < line.length) {
      this.header[1]!++
      return
    }
    Atomics.store(this.header, 0, used + written)
  }

  /** The lines recorded so far were posted. */
  settle(): void {
    if (this.header[0] !== 0) Atomics.store(this.header, 0, 0)
    if (this.header[1] !== 0) this.header[1] = 0
  }
}

/** What a dead worker had logged but not posted, in order; a note when lines were dropped. */
export function readLastWords(buffer: SharedArrayBuffer): LogRecord[] {
  const header = new Int32Array(buffer, 0, 2)
  const used = Atomics.load(header, 0)
  const out: LogRecord[] = []
  if (used > 0) {
    const text = new TextDecoder().decode(new Uint8Array(buffer, HEADER, used))
    for (const line of text.split('\n')) {
      if (!line) continue
      try {
        out.push(JSON.parse(line) as LogRecord)
      } catch {}
    }
  }
  const dropped = Atomics.load(header, 1)
  if (dropped > 0) {
    out.push({ time: Date.now(), level: 'warn', msg: `${dropped} more log lines of the dead worker did not fit` })
  }
  return out
}
