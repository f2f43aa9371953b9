import { monitorEventLoopDelay } from 'node:perf_hooks'

/** Share of one core (CPU time of the process over wall time) below which the process is idle. */
const IDLE_SHARE = 0.05
const GOVERNOR_MS = 1000
const RESOLUTION_MS = 10

/**
 * Event-loop delay of the engine thread, sampled every 10 ms while the process works. A 10 ms
 * timer wakes an idle process 100 times a second (~1% of a core here, and under callgrind it
 * dominates what a slow request seems to cost), so a 1 s governor turns the sampler off once the
 * process used under 5% of a core in the last second and on again when it uses more. An idle
 * loop has no delay to report; a block long enough to matter (≥ 50 ms) turns the sampler on
 * for the next second, and the governor's own lateness counts toward `max`, so a long block that
 * starts while the sampler is off still shows.
 */
export class LoopDelay {
  private readonly fine = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
  private on = false
  private coarseMaxNs = 0
  private lastCpu: number
  private lastAt = performance.now()
  private readonly governor: ReturnType<typeof setInterval>

  /** `cpuMicros`: the process's CPU time so far (tests pass their own). */
  constructor(private readonly cpuMicros: () => number = processCpuMicros) {
    this.lastCpu = cpuMicros()
    this.switch(true)
    this.governor = setInterval(() => this.govern(), GOVERNOR_MS)
    this.governor.unref?.()
  }

  /** Whether the 10 ms sampler runs. */
  get sampling(): boolean {
    return this.on
  }

  /** Longest delay since the last `reset`, in ns. */
  get maxNs(): number {
    return Math.max(this.fine.max, this.coarseMaxNs)
  }

  /** 99th percentile of the fine samples since the last `reset`, in ns (0 when none were taken). */
  get p99Ns(): number {
    return this.fine.count > 0 ? this.fine.percentile(99) : 0
  }

  reset(): void {
    this.fine.reset()
    this.coarseMaxNs = 0
  }

  stop(): void {
    clearInterval(this.governor)
    this.switch(false)
  }

  /** The governor's tick (its timer calls it every second; public for tests). */
  govern(): void {
    const now = performance.now()
    const cpu = this.cpuMicros()
    const elapsedMs = now - this.lastAt
    const late = elapsedMs - GOVERNOR_MS
    if (late > 0) this.coarseMaxNs = Math.max(this.coarseMaxNs, late * 1e6)
    this.switch((cpu - this.lastCpu) / 1000 >= IDLE_SHARE * elapsedMs)
    this.lastCpu = cpu
    this.lastAt = now
  }

  private switch(on: boolean): void {
    if (on === this.on) return
    this.on = on
    if (on) {
      samplers++
      this.fine.enable()
    } else if (--samplers === 0) this.fine.disable()
  }
}

/**
 * LoopDelay instances sampling now. Bun runs one event-loop-delay monitor for the process: any
 * histogram's `disable()` stops every histogram's samples, so only the last one off disables
 * (a runtime stopping, or idle, left another runtime's sampler blind, e.g. tests in one process).
 */
let samplers = 0

function processCpuMicros(): number {
  const c = process.cpuUsage()
  return c.user + c.system
}
