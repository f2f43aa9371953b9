/** `observability.sampling`, resolved (docs/observability.md, Sampling). */

/** Which traces are recorded (modules/observability/sampler.ts). */
export interface SamplingConfig {
  /** 0..1: the share of new traces kept, decided by trace id (instances agree). */
  readonly ratio: number
  /** First match wins; a rule's ratio replaces `ratio`. */
  readonly rules: readonly SamplingRule[]
  /** An execution whose cause was sampled (or not) is too: a flow is kept or dropped whole. */
  readonly parentBased: boolean
  /** New traces kept per second on this instance, at most. */
  readonly maxTracesPerSecond?: number
  /** A not-sampled execution that fails is recorded all the same (its own span). */
  readonly keepErrors: boolean
  /** Milliseconds: a not-sampled execution at least this slow is recorded all the same. */
  readonly keepSlowerThan?: number
}

/** Matches an execution on every field it sets; `route`, `step`, `topic` and `name` take `*` wildcards. */
export interface SamplingRule {
  readonly route?: string
  /** Upper case. */
  readonly method?: string
  readonly step?: string
  readonly topic?: string
  readonly trigger?: 'http' | 'queue' | 'cron' | 'state' | 'stream'
  /** The execution's span name (`POST /orders`, `process order.created`): iii's `operation`. */
  readonly name?: string
  readonly ratio: number
}
