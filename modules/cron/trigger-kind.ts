import type { CronTriggerDef } from '../../runtime/step'
import { describe, problemAt, type TriggerKind } from '../../runtime/trigger-registry'
import { checkSchedule } from './schedule'

/** `cron`: `expression` (or `cron`, the 0.x key), 5, 6 (leading seconds) or 7 (trailing year) fields. */
export const cronTriggerKind: TriggerKind<CronTriggerDef> = {
  type: 'cron',
  normalize(raw, at) {
    const key = raw.expression !== undefined ? 'expression' : 'cron'
    const expression = raw[key]
    if (typeof expression !== 'string' || expression.trim() === '') {
      return { problems: [problemAt(at, key, `expected a cron expression, got ${describe(expression)}`)] }
    }
    if (raw.timezone !== undefined && typeof raw.timezone !== 'string') {
      return { problems: [problemAt(at, 'timezone', `expected an IANA timezone name, got ${describe(raw.timezone)}`)] }
    }
    try {
      checkSchedule({ expression: expression.trim(), timezone: (raw.timezone as string | undefined) ?? 'UTC' })
    } catch (err) {
      return { problems: [problemAt(at, key, `invalid cron expression "${expression}": ${(err as Error).message}`)] }
    }
    const def: CronTriggerDef = { type: 'cron', index: at.index, expression: expression.trim() }
    if (typeof raw.timezone === 'string') def.timezone = raw.timezone
    return { defs: [def] }
  },
}
