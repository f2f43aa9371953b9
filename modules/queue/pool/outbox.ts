/**
 * Messages to one peer (a worker, or the engine from a worker), sent once per event-loop turn:
 * a claim's worth of jobs, or a turn's results and log lines, cost one postMessage instead of
 * one each. A lone message goes as itself; several as one `batch`.
 *
 * Values are checked before they are queued (runtime/plain-data.ts), but should one still fail
 * to clone (a Proxy, a span attribute), the batch is sent again message by message and only
 * the one that failed goes to `unsendable`: it must not take the turn's other messages, or the
 * thread, with it.
 */
export function outbox<T>(
  send: (message: T | { type: 'batch'; messages: T[] }) => void,
  unsendable: (message: T, error: unknown) => void,
): (message: T) => void {
  let queued: T[] = []
  const sendOne = (message: T) => {
    try {
      send(message)
    } catch (err) {
      unsendable(message, err)
    }
  }
  const flush = () => {
    const messages = queued
    queued = []
    if (messages.length === 1) return sendOne(messages[0]!)
    try {
      send({ type: 'batch', messages })
    } catch {
      for (const m of messages) sendOne(m)
    }
  }
  return (message) => {
    if (queued.push(message) === 1) setImmediate(flush)
  }
}
