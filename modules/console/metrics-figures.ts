import type { Exemplar } from '../observability/metrics/registry'

/** A route's cumulative figures: count, sum, 5xx, 4xx, then the bucket counts (the last is +Inf). */
export const R_COUNT = 0
export const R_SUM = 1
export const R_ERRORS = 2
export const R_CLIENT = 3
export const R_BUCKETS = 4
/** A subscription's: depth, in flight, dead (gauges), processed, retried, dead-lettered, wait count, sum, buckets. */
export const S_DEPTH = 0
export const S_IN_FLIGHT = 1
export const S_DEAD = 2
export const S_PROCESSED = 3
export const S_RETRIED = 4
export const S_DEAD_LETTERED = 5
export const S_WAIT_COUNT = 6
export const S_BUCKETS = 8

export interface RouteNow {
  method: string
  route: string
  bounds: readonly number[]
  vec: Float64Array
  exemplars: (Exemplar | undefined)[]
}

export interface SubNow {
  topic: string
  subscription: string
  bounds: readonly number[]
  vec: Float64Array
}

export interface BucketFigure {
  /** Upper bound in seconds; null for +Inf. */
  le: number | null
  /** Requests in the window that fell in the bucket. */
  count: number
  /** The latest kept trace that fell in it (may be older than the window). */
  exemplar?: Exemplar
}

export interface RouteFigures {
  method: string
  /** The template (`/todos/:id`); `""` for requests no route matched. */
  route: string
  count: number
  /** Requests per second over the window. */
  rate: number
  /** Answers of 500 or more. */
  errors: number
  /** Answers 400–499. */
  clientErrors: number
  /** Seconds; null without requests in the window. */
  p50: number | null
  p95: number | null
  p99: number | null
  /** A trace at or above p99 (the slow end), for the console's click. */
  p99Exemplar?: Exemplar
  buckets: BucketFigure[]
  /** Per minute, oldest first (the last is the minute under way): requests, errors, p95 (s). */
  points: { count: number[]; errors: number[]; p95: (number | null)[] }
}

export interface SubscriptionFigures {
  topic: string
  subscription: string
  depth: number
  inFlight: number
  dead: number
  processed: number
  retried: number
  deadLettered: number
  /** Enqueue → start of the first delivery, seconds; null without deliveries in the window. */
  lagP50: number | null
  lagP95: number | null
  /** Per minute: depth at the minute's end (now for the last), processed, lag p95. */
  points: { depth: number[]; processed: number[]; lagP95: (number | null)[] }
}

export interface MetricsSummary {
  /** The window the figures cover: the oldest kept minute (at most an hour ago) to now. */
  window: { from: number; to: number; seconds: number }
  routes: RouteFigures[]
  subscriptions: SubscriptionFigures[]
}

/**
 * Prometheus' `histogram_quantile` over one histogram's (non-cumulative) bucket counts, read
 * from `counts[at]` on: the rank's bucket, linear inside it from its lower bound (0 for the
 * first); in the +Inf bucket the highest finite bound. Null when the histogram is empty.
 */
export function quantile(q: number, bounds: readonly number[], counts: ArrayLike<number>, at = 0): number | null {
  const n = bounds.length + 1
  let total = 0
  for (let i = 0; i < n; i++) total += counts[at + i]!
  if (total === 0) return null
  const rank = q * total
  let cum = 0
  for (let i = 0; i < n; i++) {
    const c = counts[at + i]!
    const prev = cum
    cum += c
    if (cum < rank || c === 0) continue
    if (i >= bounds.length) return bounds[bounds.length - 1] ?? null
    const lower = i === 0 ? 0 : bounds[i - 1]!
    return lower + ((bounds[i]! - lower) * (rank - prev)) / c
  }
  return bounds[bounds.length - 1] ?? null
}

export type Minutes = { data: Float64Array; points: number }

/** The sum over every point of field `i`. */
function total(m: Minutes, width: number, i: number): number {
  let n = 0
  for (let p = 0; p < m.points; p++) n += m.data[p * width + i]!
  return n
}

function column(m: Minutes, width: number, i: number): number[] {
  return Array.from({ length: m.points }, (_, p) => m.data[p * width + i]!)
}

export function routeFigures(r: RouteNow, m: Minutes, seconds: number): RouteFigures {
  const width = r.vec.length
  const buckets = new Float64Array(width - R_BUCKETS)
  for (let i = 0; i < buckets.length; i++) buckets[i] = total(m, width, R_BUCKETS + i)
  const count = total(m, width, R_COUNT)
  const p99 = quantile(0.99, r.bounds, buckets)
  return {
    method: r.method,
    route: r.route,
    count,
    rate: count / seconds,
    errors: total(m, width, R_ERRORS),
    clientErrors: total(m, width, R_CLIENT),
    p50: quantile(0.5, r.bounds, buckets),
    p95: quantile(0.95, r.bounds, buckets),
    p99,
    ...(p99 === null ? {} : slowExemplar(r, p99)),
    buckets: Array.from(buckets, (n, i) => ({
      le: i < r.bounds.length ? r.bounds[i]! : null,
      count: n,
      ...(r.exemplars[i] ? { exemplar: r.exemplars[i] } : {}),
    })),
    points: {
      count: column(m, width, R_COUNT),
      errors: column(m, width, R_ERRORS),
      p95: Array.from({ length: m.points }, (_, p) => quantile(0.95, r.bounds, m.data, p * width + R_BUCKETS)),
    },
  }
}

/** The exemplar of p99's bucket, else of the nearest slower one, else of the nearest faster one. */
function slowExemplar(r: RouteNow, p99: number): { p99Exemplar?: Exemplar } {
  let at = r.bounds.findIndex((b) => p99 <= b)
  if (at < 0) at = r.bounds.length
  for (let i = at; i < r.exemplars.length; i++) if (r.exemplars[i]) return { p99Exemplar: r.exemplars[i]! }
  for (let i = at - 1; i >= 0; i--) if (r.exemplars[i]) return { p99Exemplar: r.exemplars[i]! }
  return {}
}

export function subFigures(s: SubNow, m: Minutes): SubscriptionFigures {
  const width = s.vec.length
  const waits = new Float64Array(width - S_BUCKETS)
  for (let i = 0; i < waits.length; i++) waits[i] = total(m, width, S_BUCKETS + i)
  return {
    topic: s.topic,
    subscription: s.subscription,
    depth: s.vec[S_DEPTH]!,
    inFlight: s.vec[S_IN_FLIGHT]!,
    dead: s.vec[S_DEAD]!,
    processed: total(m, width, S_PROCESSED),
    retried: total(m, width, S_RETRIED),
    deadLettered: total(m, width, S_DEAD_LETTERED),
    lagP50: quantile(0.5, s.bounds, waits),
    lagP95: quantile(0.95, s.bounds, waits),
    points: {
      depth: column(m, width, S_DEPTH),
      processed: column(m, width, S_PROCESSED),
      lagP95: Array.from({ length: m.points }, (_, p) => quantile(0.95, s.bounds, m.data, p * width + S_BUCKETS)),
    },
  }
}
