import type { Cron } from 'croner'
import type { MotiaConfig } from '../../runtime/config/schema'
import { serializeError } from '../../runtime/errors'
import type { StructuredLogger } from '../../runtime/logger'
import type { MotiaModule, Project, RuntimeServices } from '../../runtime/module'
import type { CronTriggerDef, StepDefinition } from '../../runtime/step'
import { newTraceId } from '../../runtime/trace-id'
import { type BackgroundRunner, RUNNER_KEY } from '../queue/runner'
import type { TickLock } from './redis-lock'
import { croner } from './schedule'
import { cronTriggerKind } from './trigger-kind'

/**
 * Whether this instance runs a tick (`key` names the schedule, `at` the tick's scheduled ms): with
 * several instances on one Redis exactly one gets true per tick; alone, always true. Other
 * modules' schedules (iii workers' cron triggers) take it from `shared.get(CRON_CLAIM_KEY)`.
 */
export type CronClaim = (key: string, at: number) => Promise<boolean>
export const CRON_CLAIM_KEY = 'cron.claim'

/**
 * Cron triggers on croner, run in the worker pool. A tick that comes while the previous run of
 * the same trigger is still going is skipped (logged): runs of one trigger never overlap.
 */
export function cronModule(): MotiaModule {
  let rt: RuntimeServices
  let jobs: Cron[] = []
  const running = new Set<string>()
  let draining = false
  let lock: TickLock | undefined

  const schedule = (project: Project) => {
    for (const j of jobs) j.stop()
    jobs = []
    if (!rt.config.cron.enabled) return
    for (const step of project.steps) {
      for (const def of step.triggers) {
        if (def.type !== 'cron') continue
        const timezone = def.timezone ?? rt.config.cron.timezone
        jobs.push(
          new (croner().Cron)(def.expression, { timezone }, (self: Cron) => void fire(step, def, scheduledRun(self))),
        )
      }
    }
  }

  const fire = async (step: StepDefinition, def: CronTriggerDef, scheduled: Date | null) => {
    const key = `${step.name}#${def.index}`
    const traceId = newTraceId()
    const log = rt.log.child({ step: step.name, traceId })
    const metrics = rt.engine.metrics
    if (running.has(key)) {
      metrics?.count(metrics.cronSkipped, { 'motia.step': step.name }, step.name)
      log.warn('cron tick skipped: the previous run is still going', { expression: def.expression })
      return
    }
    running.add(key)
    try {
      const scheduledTime = tickTime(scheduled)
      if (lock && !(await claimTick(lock, key, scheduledTime, log))) return
      const runner = rt.shared.get(RUNNER_KEY) as BackgroundRunner | undefined
      if (!runner) return
      metrics?.count(metrics.cronRuns, { 'motia.step': step.name }, step.name)
      const out = await runner.run({ step, def, input: undefined, traceId, attempt: 1, scheduledTime })
      if (out.status === 'error') log.error(`cron handler failed: ${out.error.message}`, { error: out.error })
    } catch (err) {
      // A tick runs on a timer: nothing above it would catch this, and the process must stay up.
      log.error(`cron run could not start: ${(err as Error)?.message ?? String(err)}`, { error: serializeError(err) })
    } finally {
      running.delete(key)
    }
  }

  return {
    name: 'cron',
    dependsOn: ['queue'],
    triggerKinds: [cronTriggerKind],
    async setup(services) {
      rt = services
      // Several instances on one Redis: each tick runs on one of them (modules/cron/redis-lock.ts).
      // ioredis loads only when configured (queue-module.ts says why).
      if (rt.config.cron.enabled && usesRedis(rt.config))
        lock = await (await import('./redis-lock')).RedisTickLock.connect(rt.config.redis)
      const claim: CronClaim = async (key, at) => !lock || claimTick(lock, key, at, rt.log)
      rt.shared.set(CRON_CLAIM_KEY, claim)
    },
    start() {
      schedule(rt.project())
    },
    projectChanged(project) {
      if (!draining) schedule(project)
    },
    async drain(deadline) {
      // No new ticks; runs under way finish (their handler's own timeout still applies).
      draining = true
      for (const j of jobs) j.stop()
      jobs = []
      while (running.size > 0 && Date.now() < deadline) await Bun.sleep(10)
      if (running.size > 0) rt.log.warn(`${running.size} cron run(s) still going at the shutdown deadline are cut off`)
    },
    async stop() {
      for (const j of jobs) j.stop()
      jobs = []
      await lock?.close()
      lock = undefined
    },
  }
}

/**
 * The scheduled time of the tick being fired (the latest occurrence at or before now): croner's
 * `currentRun()` is the moment its timer woke, which differs by some ms between instances.
 */
export function scheduledRun(self: Cron): Date | null {
  return self.previousRuns(1, new Date(Date.now() + 1))[0] ?? null
}

/** Any adapter on Redis means several instances may share it: cron ticks take the lock. */
function usesRedis(config: MotiaConfig): boolean {
  return config.queue.adapter === 'redis' || config.state.adapter === 'redis' || config.streams.adapter === 'redis'
}

/** The schedule names the tick; the clock is the fallback (to the second, as ticks are). */
export function tickTime(scheduled: Date | null): number {
  return scheduled?.getTime() ?? Math.round(Date.now() / 1000) * 1000
}

/** True when this instance runs the tick; a Redis it cannot reach skips the tick (logged), never runs it twice. */
async function claimTick(lock: TickLock, key: string, at: number, log: StructuredLogger): Promise<boolean> {
  try {
    return await lock.claim(key, at)
  } catch (err) {
    log.error(`cron tick skipped: ${(err as Error).message}`, { error: serializeError(err) })
    return false
  }
}
