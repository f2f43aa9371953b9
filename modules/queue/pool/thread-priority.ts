/**
 * How much of the CPU background handlers may take from the engine thread (HTTP, streams).
 * On Linux a thread is a task with its own scheduling class and nice value, so a worker thread
 * lowers itself without touching the process:
 * - `idle`: the SCHED_IDLE class. Besides running only when nothing else wants the CPU, a core
 *   that runs only idle-class tasks counts as free when the scheduler places a woken task, so
 *   the engine thread is not packed onto one core with its clients while a job holds the other
 *   (with nice 19 HTTP hello kept ~0.6 of its idle throughput while jobs ran busy loops, ~0.85 with this: bench/queue.ts).
 * - `low`: nice 19, the lowest nice value.
 * - `normal`: unchanged.
 * Elsewhere, or where refused, the thread stays as it is.
 */
import { dlopen, ptr } from 'bun:ffi'
import { readlinkSync } from 'node:fs'
import { setPriority } from 'node:os'

export type ThreadPriority = 'idle' | 'low' | 'normal'

const SCHED_IDLE = 5

/** Applies `wanted` to the calling thread; returns what it got. */
export function setThreadPriority(wanted: ThreadPriority): ThreadPriority {
  // Never the engine thread: only a worker lowers itself.
  if (wanted === 'normal' || Bun.isMainThread || process.platform !== 'linux') return 'normal'
  if (wanted === 'idle' && schedIdle()) return 'idle'
  return lowestNice() ? 'low' : 'normal'
}

function schedIdle(): boolean {
  try {
    const libc = dlopen('libc.so.6', {
      sched_setscheduler: { args: ['i32', 'i32', 'ptr'], returns: 'i32' },
    })
    // pid 0: the calling thread. SCHED_IDLE takes sched_priority 0.
    const ok = libc.symbols.sched_setscheduler(0, SCHED_IDLE, ptr(new Int32Array(1))) === 0
    libc.close()
    return ok
  } catch {
    return false // not glibc (musl names it differently), or FFI unavailable
  }
}

function lowestNice(): boolean {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop())
    if (!(tid > 0)) return false
    setPriority(tid, 19)
    return true
  } catch {
    return false
  }
}
