import { Database } from 'bun:sqlite'
import { SqliteQueueAdapter } from './sqlite'

/**
 * A queue that lives and dies with the process (tests, `queue.adapter: memory`): the SQLite
 * adapter over an in-memory database, so both share every semantic (fan-out, FIFO, retries,
 * dead letters) and one conformance suite.
 */
export class MemoryQueueAdapter extends SqliteQueueAdapter {
  override readonly kind = 'memory'

  constructor(options: { now?: () => number } = {}) {
    super(new Database(':memory:'), { ...options, owned: true })
  }
}
