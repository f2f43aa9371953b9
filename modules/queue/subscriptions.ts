import type { MotiaConfig } from '../../runtime/config/schema'
import type { QueueTriggerDef, StepDefinition } from '../../runtime/step'
import type { QueueConfig } from '../../sdk/types'

/** One consumer of a topic: a queue trigger of a step. Every subscription gets its own copy of a message. */
export interface SubscriptionDef {
  /** Stable across restarts (stored with each message): `<step>#<trigger index>:<topic>`. */
  id: string
  topic: string
  step: StepDefinition
  def: QueueTriggerDef
  config: QueueConfig
}

/**
 * Resolves each queue trigger's QueueConfig: `config.yaml` defaults, then the step's
 * `infrastructure.queue`, then the trigger's own `config`.
 */
export function subscriptionsOf(
  steps: readonly StepDefinition[],
  defaults: MotiaConfig['queue']['defaults'],
): SubscriptionDef[] {
  const out: SubscriptionDef[] = []
  for (const step of steps) {
    for (const def of step.triggers) {
      if (def.type !== 'queue') continue
      const config: QueueConfig = { ...defaults, ...step.queueConfig, ...def.queueConfig }
      out.push({ id: `${step.name}#${def.index}:${def.topic}`, topic: def.topic, step, def, config })
    }
  }
  return out
}
