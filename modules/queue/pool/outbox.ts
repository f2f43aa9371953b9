/**
 * Messages to one peer (a worker, or the engine from a worker), sent once per event-loop turn:
 * a claim's worth of jobs, or a turn's results and log lines, cost one postMessage instead of
 * one each. A lone message goes as itself; several as one `batch`.
 */
export function outbox<T>(send: (message: T | { type: 'batch'; messages: T[] }) => void): (message: T) => void {
  let queued: T[] = []
  const flush = () => {
    const messages = queued
    queued = []
    send(messages.length === 1 ? messages[0]! : { type: 'batch', messages })
  }
  return (message) => {
    if (queued.push(message) === 1) setImmediate(flush)
  }
}
