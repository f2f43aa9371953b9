import type { TriggerInfo } from '../sdk/types'
import type { StepContext } from './context'
import { runInExecution } from './execution'
import type { StepDefinition, TriggerDef } from './step'

/** `ctx.trigger` for a trigger definition. */
export function triggerInfo(def: TriggerDef): TriggerInfo {
  switch (def.type) {
    case 'http':
      return { type: 'http', index: def.index, method: def.method, path: def.path }
    case 'queue':
      return { type: 'queue', index: def.index, topic: def.topic }
    case 'cron':
      return { type: 'cron', index: def.index, expression: def.expression }
    case 'stream':
      return { type: 'stream', index: def.index, streamName: def.streamName }
    default:
      return { type: def.type, index: def.index }
  }
}

/**
 * Calls the step's handler the way its generation expects (a 0.x cron handler gets ctx only)
 * inside the execution's async-local scope, so module-level SDK calls see this ctx.
 */
export function callHandler(step: StepDefinition, ctx: StepContext, input: unknown): Promise<unknown> {
  const handler = step.handler!
  try {
    const out =
      step.generation === 'legacy' && ctx.trigger.type === 'cron'
        ? runInExecution(ctx, handler, ctx)
        : runInExecution(ctx, handler, input, ctx)
    return out instanceof Promise ? out : Promise.resolve(out)
  } catch (err) {
    return Promise.reject(err)
  }
}

/** Runs a trigger's condition in the execution scope; no condition → true. */
export async function conditionPasses(def: TriggerDef, ctx: StepContext, input: unknown): Promise<boolean> {
  if (!def.condition) return true
  return Boolean(await runInExecution(ctx, () => def.condition!(input, ctx)))
}
