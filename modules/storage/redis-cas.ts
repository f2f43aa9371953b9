/**
 * Read-modify-write on Redis without a lock: read the value, compute the next one in
 * JavaScript (the same `applyUpdateOps` every adapter uses, so ops behave and fail alike), and
 * write it with a compare-and-set script that only succeeds if the value is still the one read;
 * otherwise the script returns the current value and the step is computed again.
 *
 * Why not WATCH/MULTI: WATCH belongs to a connection, so every update would need a connection of
 * its own; the script runs on the one shared, pipelined connection. Why not the ops in Lua: Lua's
 * cjson loses key order and cannot tell `[]` from `{}`, and the ops' error messages would be
 * written twice. Updates of one key made in this process are queued one behind the other
 * (`KeyedQueue`), so a conflict only happens between processes, and is retried at once.
 */
export interface CasStep<T> {
  /** The stored text, or null when missing. */
  read(): Promise<string | null>
  /** The next stored text from the current one (throws to write nothing). */
  compute(current: string | null): { json: string; result: T }
  /** Writes `json` if the stored text is still `expected`: true, or the text found instead. */
  write(expected: string | null, json: string): Promise<true | { current: string | null }>
}

export async function casLoop<T>(step: CasStep<T>): Promise<T> {
  let current = await step.read()
  for (;;) {
    const { json, result } = step.compute(current)
    const outcome = await step.write(current, json)
    if (outcome === true) return result
    current = outcome.current
  }
}

/** Runs tasks that share a key one after the other; different keys run concurrently. */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>()

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key)
    const next = prev ? prev.then(task, task) : task()
    const tail = next.catch(() => {})
    this.tails.set(key, tail)
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key)
    })
    return next
  }
}

/** Code point order (UTF-8 byte order), the order SQLite's ORDER BY and the memory adapters use. */
export function byCodePoint(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b))
}
