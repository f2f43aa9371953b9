import { dlopen, FFIType, ptr } from 'bun:ffi'

/**
 * Measures how long the event loop is held, in CPU time: a setImmediate loop records the main
 * thread's CPU time (Linux: `clock_gettime(CLOCK_THREAD_CPUTIME_ID)`, ns; `getrusage` and
 * `process.threadCpuUsage()` move in scheduler ticks of ~4 ms) consumed between two of its turns.
 * Preemption by other processes on a loaded machine adds wall time but no CPU time, and the
 * GC's helper threads are not this thread, so the longest gap is the event loop's own pause.
 */
export class PauseProbe {
  private last = threadCpuMs()
  private running = true
  /** The longest CPU-time gap between two turns, ms. */
  longest = 0

  constructor() {
    const turn = () => {
      const now = threadCpuMs()
      this.longest = Math.max(this.longest, now - this.last)
      this.last = now
      if (this.running) setImmediate(turn)
    }
    setImmediate(turn)
  }

  /** Stops the loop; the longest gap seen (ms of CPU), counting the one under way. */
  stop(): number {
    this.running = false
    this.longest = Math.max(this.longest, threadCpuMs() - this.last)
    return this.longest
  }
}

const CLOCK_THREAD_CPUTIME_ID = 3
const timespec = new BigInt64Array(2)
const libc =
  process.platform === 'linux'
    ? dlopen('libc.so.6', { clock_gettime: { args: [FFIType.i32, FFIType.ptr], returns: FFIType.i32 } })
    : undefined
const at = ptr(timespec)

/** This thread's CPU time, ms. */
export function threadCpuMs(): number {
  if (!libc) {
    const u = process.threadCpuUsage()
    return (u.user + u.system) / 1000
  }
  libc.symbols.clock_gettime(CLOCK_THREAD_CPUTIME_ID, at)
  return Number(timespec[0]) * 1e3 + Number(timespec[1]) / 1e6
}
