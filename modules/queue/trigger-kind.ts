import type { LoadProblem } from '../../runtime/errors'
import { schemaField } from '../../runtime/schema-field'
import type { QueueTriggerDef } from '../../runtime/step'
import { describe, fieldOf, problemAt, type TriggerKind, type TriggerLocation } from '../../runtime/trigger-registry'
import type { QueueConfig } from '../../sdk/types'

/** `queue` with `topic` (1.x), `event` with `subscribes` (seed docs, 0.x `type: 'event'`). */
export const queueTriggerKind: TriggerKind<QueueTriggerDef> = {
  type: 'queue',
  aliases: ['event'],
  normalize(raw, at) {
    const problems: LoadProblem[] = []
    let topics: string[] = []
    const warnings: string[] = []
    if (raw.topic !== undefined) {
      if (typeof raw.topic === 'string' && raw.topic !== '') topics = [raw.topic]
      else problems.push(problemAt(at, 'topic', `expected a non-empty topic name, got ${describe(raw.topic)}`))
    } else if (Array.isArray(raw.subscribes) && raw.subscribes.length > 0) {
      raw.subscribes.forEach((t, i) => {
        if (typeof t === 'string' && t !== '') topics.push(t)
        else problems.push(problemAt(at, `subscribes[${i}]`, `expected a topic name, got ${describe(t)}`))
      })
    } else if (Array.isArray(raw.subscribes)) {
      // Motia 0.x loaded `type: 'event', subscribes: []` (published apps have it): a step that
      // consumes nothing and never runs, as there. Drawn in flows like a noop step.
      warnings.push(
        `${at.file}: ${fieldOf(at, 'subscribes')} is empty: the step consumes no topic, so its handler never runs`,
      )
    } else {
      problems.push(
        problemAt(
          at,
          raw.type === 'event' ? 'subscribes' : 'topic',
          'expected a topic to consume (`topic: string` or `subscribes: string[]`)',
        ),
      )
    }
    const input = schemaField(raw, 'input', at, problems)
    const queueConfig = validateQueueConfig(raw.config, at, 'config', problems)
    if (problems.length > 0) return { problems }
    return {
      ...(warnings.length > 0 ? { warnings } : {}),
      defs: topics.map((topic) => {
        const def: QueueTriggerDef = { type: 'queue', index: at.index, topic, queueConfig: queueConfig ?? {} }
        if (input) def.input = input
        return def
      }),
    }
  },
}

const INT_FIELDS = ['maxRetries', 'visibilityTimeout', 'delaySeconds', 'concurrency', 'backoffDelayMs'] as const

/** Checks a partial QueueConfig (trigger `config` or `infrastructure.queue`). */
export function validateQueueConfig(
  v: unknown,
  at: TriggerLocation,
  key: string,
  problems: LoadProblem[],
): Partial<QueueConfig> | undefined {
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'object' || Array.isArray(v)) {
    problems.push(problemAt(at, key, `expected a queue config object, got ${describe(v)}`))
    return undefined
  }
  const c = v as Record<string, unknown>
  const before = problems.length
  if (c.type !== undefined && c.type !== 'standard' && c.type !== 'fifo') {
    problems.push(problemAt(at, `${key}.type`, `expected "standard" or "fifo", got ${describe(c.type)}`))
  }
  if (c.backoffType !== undefined && c.backoffType !== 'fixed' && c.backoffType !== 'exponential') {
    problems.push(
      problemAt(at, `${key}.backoffType`, `expected "fixed" or "exponential", got ${describe(c.backoffType)}`),
    )
  }
  for (const f of INT_FIELDS) {
    const n = c[f]
    if (n === undefined) continue
    if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || (f === 'concurrency' && n < 1)) {
      problems.push(
        problemAt(
          at,
          `${key}.${f}`,
          `expected a ${f === 'concurrency' ? 'positive' : 'non-negative'} number, got ${describe(n)}`,
        ),
      )
    }
  }
  return problems.length === before ? (c as Partial<QueueConfig>) : undefined
}
