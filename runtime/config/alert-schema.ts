import { z } from 'zod'

/** How an alert reduces its metric over the window (docs/observability.md, Alerts). */
export const ALERT_AGGREGATES = [
  'value',
  'increase',
  'rate',
  'avg',
  'min',
  'max',
  'count',
  'p50',
  'p90',
  'p95',
  'p99',
] as const
export type AlertAggregate = (typeof ALERT_AGGREGATES)[number]
export const ALERT_OPERATORS = ['>', '>=', '<', '<=', '==', '!='] as const
export type AlertOperator = (typeof ALERT_OPERATORS)[number]

export type AlertAction =
  | { readonly type: 'log' }
  | {
      readonly type: 'webhook'
      readonly url: string
      readonly headers: Readonly<Record<string, string>>
      /** ms per attempt. */
      readonly timeout: number
      /** Attempts after the first (on a network error, a timeout, 429 or 5xx). */
      readonly retries: number
      /** ms before the first retry, doubling. */
      readonly backoff: number
    }
  | { readonly type: 'enqueue'; readonly topic: string }

/** One `observability.alerts` rule, validated and defaulted; durations in ms. */
export interface AlertRule {
  readonly name: string
  /** The instrument's OpenTelemetry name (`motia.step.failures`), as in docs/observability.md. */
  readonly metric: string
  /** Only series with these label values count; the matching series are added up. */
  readonly labels: Readonly<Record<string, string>>
  /** Unset: by the instrument's type (counter `increase`, histogram `p95`, gauge `value`). */
  readonly aggregate?: AlertAggregate
  readonly operator: AlertOperator
  readonly threshold: number
  readonly window: number
  readonly cooldown: number
  /** How often the rule is evaluated. */
  readonly every: number
  readonly action: AlertAction
}

/** The schema pieces of schema.ts (passed in: this file is imported by it). */
export interface SchemaParts {
  section: <T extends z.core.$ZodLooseShape>(shape: T) => z.ZodObject<T, z.core.$strict>
  text: z.ZodType<string, unknown>
  duration: z.ZodType<number, unknown>
  expected: (what: string) => (issue: { input?: unknown }) => string
}

/** `observability.alerts`: a list of rules with distinct names. */
export function alertRulesSchema({ section, text, duration, expected }: SchemaParts) {
  const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
    z.enum(values, { error: expected(`one of: ${values.join(', ')}`) })
  const action = z.discriminatedUnion(
    'type',
    [
      section({ type: z.literal('log') }),
      section({
        type: z.literal('webhook'),
        url: z.url({ error: expected('an http(s) URL') }),
        headers: z.record(z.string(), text, { error: expected('a mapping of header names to values') }).default({}),
        timeout: duration.default(5000),
        retries: z
          .number({ error: expected('an integer between 0 and 10') })
          .int({ error: expected('an integer between 0 and 10') })
          .min(0, { error: expected('an integer between 0 and 10') })
          .max(10, { error: expected('an integer between 0 and 10') })
          .default(3),
        backoff: duration.default(500),
      }),
      section({ type: z.literal('enqueue'), topic: text.refine((t) => t !== '', { error: expected('a topic') }) }),
    ],
    { error: expected('an action: { type: log }, { type: webhook, url }, or { type: enqueue, topic }') },
  )
  const rule = section({
    name: text,
    metric: text,
    labels: z.record(z.string(), text, { error: expected('a mapping of label names to values') }).default({}),
    aggregate: oneOf(ALERT_AGGREGATES).optional(),
    operator: oneOf(ALERT_OPERATORS),
    threshold: z.number({ error: expected('a number') }),
    window: duration.default(300_000),
    cooldown: duration.default(300_000),
    every: duration.refine((ms) => ms >= 10, { error: expected('a duration of at least 10ms') }).default(10_000),
    action: action.default({ type: 'log' }),
  })
  return z.array(rule, { error: expected('a list of alert rules') }).superRefine((rules, ctx) => {
    const seen = new Set<string>()
    rules.forEach((r, i) => {
      if (seen.has(r.name))
        ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `"${r.name}" names another rule already` })
      seen.add(r.name)
    })
  })
}
