import { Cron } from 'croner'
import { serializeError } from '../../runtime/errors'
import type { MotiaModule, Project, RuntimeServices } from '../../runtime/module'
import type { CronTriggerDef, StepDefinition } from '../../runtime/step'
import { newTraceId } from '../../runtime/trace-id'
import { type BackgroundRunner, RUNNER_KEY } from '../queue/runner'
import { cronTriggerKind } from './trigger-kind'

/**
 * Cron triggers on croner, run in the worker pool. A tick that comes while the previous run of
 * the same trigger is still going is skipped (logged): runs of one trigger never overlap.
 */
export function cronModule(): MotiaModule {
  let rt: RuntimeServices
  let jobs: Cron[] = []
  const running = new Set<string>()

  const schedule = (project: Project) => {
    for (const j of jobs) j.stop()
    jobs = []
    if (!rt.config.cron.enabled) return
    for (const step of project.steps) {
      for (const def of step.triggers) {
        if (def.type !== 'cron') continue
        const timezone = def.timezone ?? rt.config.cron.timezone
        jobs.push(new Cron(def.expression, { timezone }, () => void fire(step, def)))
      }
    }
  }

  const fire = async (step: StepDefinition, def: CronTriggerDef) => {
    const key = `${step.name}#${def.index}`
    const traceId = newTraceId()
    const log = rt.log.child({ step: step.name, traceId })
    if (running.has(key)) {
      log.warn('cron tick skipped: the previous run is still going', { expression: def.expression })
      return
    }
    const runner = rt.shared.get(RUNNER_KEY) as BackgroundRunner | undefined
    if (!runner) return
    running.add(key)
    try {
      const out = await runner.run({ step, def, input: undefined, traceId, attempt: 1 })
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
    setup(services) {
      rt = services
    },
    start() {
      schedule(rt.project())
    },
    projectChanged(project) {
      schedule(project)
    },
    stop() {
      for (const j of jobs) j.stop()
      jobs = []
    },
  }
}
