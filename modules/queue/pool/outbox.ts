/**
 * Messages to one peer (a worker, or the engine from a worker), sent once per event-loop turn:
 * a claim's worth of jobs, or a turn's results and log lines, cost one postMessage instead of
 * one each. A lone message goes as itself; several as one `batch`. `flush()` sends what is queued
 * at once (a claimed batch of jobs: the claim may run in the setImmediate phase, from where the
 * turn's flush would wait for the next one).
 *
 * Messages that `asText` picks go as JSON text (one string for a run of them in a turn, a
 * batch when several): posting a string is a copy, where cloning a turn of jobs or results
 * object by object cost several times more on both threads (bench/queue-cpu.ts). The receiver
 * parses what arrives as a string (`received`). Only messages whose values are JSON data
 * already go so: jobs' inputs (as the stores keep them), results but errors, handlers' log
 * records (their fields made plain by StepContext; their last words are JSON too, last-words.ts). The turn's order is kept: the others go as before,
 * between the texts.
 *
 * Values are checked before they are queued (runtime/plain-data.ts), but should one still fail
 * to clone or to stringify (a Proxy, a span attribute), the group is sent again message by
 * message and only the one that failed goes to `unsendable`: it must not take the turn's
 * other messages, or the thread, with it.
 */
export function outbox<T extends { type: string }>(
  send: (message: T | { type: 'batch'; messages: T[] } | string) => void,
  unsendable: (message: T, error: unknown) => void,
  asText: (message: T) => boolean = () => false,
): ((message: T) => void) & { flush(): void } {
  let queued: T[] = []
  const encoded = (m: T | { type: 'batch'; messages: T[] }, text: boolean) => (text ? JSON.stringify(m) : m)
  const sendOne = (message: T, text: boolean) => {
    try {
      send(encoded(message, text))
    } catch (err) {
      unsendable(message, err)
    }
  }
  const sendGroup = (messages: T[], text: boolean) => {
    if (messages.length === 1) return sendOne(messages[0]!, text)
    try {
      send(encoded({ type: 'batch', messages }, text))
    } catch {
      for (const m of messages) sendOne(m, text)
    }
  }
  const flush = () => {
    const messages = queued
    queued = []
    let from = 0
    while (from < messages.length) {
      const text = asText(messages[from]!)
      let to = from + 1
      while (to < messages.length && asText(messages[to]!) === text) to++
      sendGroup(from === 0 && to === messages.length ? messages : messages.slice(from, to), text)
      from = to
    }
  }
  const post = (message: T) => {
    if (queued.push(message) === 1) setImmediate(flush)
  }
  return Object.assign(post, { flush })
}

/** What the peer's outbox sent: a message, a batch, or either as JSON text. */
export function received<T>(data: T | string): T {
  return typeof data === 'string' ? (JSON.parse(data) as T) : data
}
