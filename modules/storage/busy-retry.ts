import { storageError, storageTrouble } from './storage-error'

/**
 * How long SQLite itself waits, blocking, for another connection's lock on the engine's
 * connections. Short: the engine thread serves every request, so a lock held outside (the
 * sqlite3 shell, a backup, another process) must not freeze it; longer waits happen here,
 * between attempts, on timers.
 */
export const ENGINE_BUSY_TIMEOUT_MS = 50

/** How long a write waits in all for a lock held elsewhere before failing with E_STORAGE_BUSY. */
export const BUSY_WAIT_MS = 5000

/**
 * Runs one synchronous SQLite operation of an engine connection. A busy file is tried again
 * on a timer (5 ms doubling to 200 ms) for up to BUSY_WAIT_MS, so other requests go on
 * meanwhile; any SQLite failure comes out as a MotiaError naming the file (storage-error.ts).
 * The operation must be all-or-nothing (one statement or one transaction): a busy one did
 * nothing. The first attempt is synchronous, so the usual case costs no extra promise.
 */
export function retryBusy<T>(file: string, run: () => T): T | Promise<T> {
  try {
    return run()
  } catch (err) {
    if (storageTrouble(err) !== 'busy') throw storageError(err, file)
    return retryLater(file, run, err)
  }
}

async function retryLater<T>(file: string, run: () => T, first: unknown): Promise<T> {
  const deadline = Date.now() + BUSY_WAIT_MS
  let last = first
  for (let wait = 5; Date.now() < deadline; wait = Math.min(wait * 2, 200)) {
    await Bun.sleep(Math.max(1, Math.min(wait, deadline - Date.now())))
    try {
      return run()
    } catch (err) {
      if (storageTrouble(err) !== 'busy') throw storageError(err, file)
      last = err
    }
  }
  throw storageError(last, file)
}
