import type { Exemplar, HistogramSeries, Instrument, MetricRegistry } from '../observability/metrics/registry'
import type { SubscriptionStats } from '../queue/adapter'

/** Points per series: one an hour of minutes (the last one is the minute under way). */
export const POINTS = 60
export const MINUTE_MS = 60_000

/** A route's cumulative figures: count, sum, 5xx, 4xx, then the bucket counts (the last is +Inf). */
const R_COUNT = 0
const R_SUM = 1
const R_ERRORS = 2
const R_CLIENT = 3
const R_BUCKETS = 4
/** A subscription's: depth, in flight, dead (gauges), processed, retried, dead-lettered, wait count, sum, buckets. */
const S_DEPTH = 0
const S_IN_FLIGHT = 1
const S_DEAD = 2
const S_PROCESSED = 3
const S_RETRIED = 4
const S_DEAD_LETTERED = 5
const S_WAIT_COUNT = 6
const S_BUCKETS = 8

interface Snapshot {
  time: number
  /** `method route` → figures; a series that did not move keeps the previous snapshot's array. */
  routes: Map<string, Float64Array>
  subs: Map<string, Float64Array>
}

interface RouteNow {
  method: string
  route: string
  bounds: readonly number[]
  vec: Float64Array
  exemplars: (Exemplar | undefined)[]
}

interface SubNow {
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
 * Prometheus' `histogram_quantile` over one histogram's (non-cumulative) bucket counts: the
 * rank's bucket, linear inside it from its lower bound (0 for the first); in the +Inf bucket
 * the highest finite bound. Null when the histogram is empty.
 */
export function quantile(q: number, bounds: readonly number[], counts: ArrayLike<number>): number | null {
  let total = 0
  for (let i = 0; i < counts.length; i++) total += counts[i]!
  if (total === 0) return null
  const rank = q * total
  let cum = 0
  for (let i = 0; i < counts.length; i++) {
    const prev = cum
    cum += counts[i]!
    if (cum < rank || counts[i] === 0) continue
    if (i >= bounds.length) return bounds[bounds.length - 1] ?? null
    const lower = i === 0 ? 0 : bounds[i - 1]!
    return lower + ((bounds[i]! - lower) * (rank - prev)) / counts[i]!
  }
  return bounds[bounds.length - 1] ?? null
}

/**
 * The console's hour of metrics: the registry keeps cumulative values only, so once a minute
 * (and at start) this keeps a snapshot of every route's latency histogram and every queue
 * subscription's counters and depth; figures over the last hour are the registry now minus the
 * oldest snapshot, and each minute's point is the difference of two neighbours. At most
 * POINTS snapshots; a series that did not move shares the previous snapshot's array, so memory
 * grows with the series that have traffic (≤ 60 × 19 numbers each), never with requests.
 * Nothing here runs on a request: it reads the registry when a snapshot or a summary is taken.
 */
export class MetricsHistory {
  private readonly snapshots: Snapshot[] = []

  constructor(
    private readonly registry: MetricRegistry,
    private readonly queueStats: () => Promise<SubscriptionStats[]>,
  ) {}

  /** Takes the minute's snapshot (the console calls it every minute; tests with their own clock). */
  async snapshot(time = Date.now()): Promise<void> {
    const routes = this.readRoutes()
    const subs = this.readSubs(await this.queueStats().catch(() => []))
    const last = this.snapshots[this.snapshots.length - 1]
    const keep = <T>(
      now: Map<string, T>,
      before: Map<string, Float64Array> | undefined,
      vec: (v: T) => Float64Array,
    ) => {
      const out = new Map<string, Float64Array>()
      for (const [k, v] of now) {
        const a = vec(v)
        const b = before?.get(k)
        out.set(k, b && same(a, b) ? b : a)
      }
      return out
    }
    this.snapshots.push({
      time,
      routes: keep(routes, last?.routes, (r) => r.vec),
      subs: keep(subs, last?.subs, (s) => s.vec),
    })
    if (this.snapshots.length > POINTS) this.snapshots.shift()
  }

  /** How many snapshots are kept (≤ POINTS). */
  get size(): number {
    return this.snapshots.length
  }

  /** Figures over the kept window up to `time`, read from the registry and the queue now. */
  async summary(time = Date.now()): Promise<MetricsSummary> {
    const routesNow = this.readRoutes()
    const subsNow = this.readSubs(await this.queueStats().catch(() => []))
    const snaps = this.snapshots
    const from = snaps[0]?.time ?? time
    const seconds = Math.max((time - from) / 1000, 0.001)
    const routes: RouteFigures[] = []
    for (const [key, r] of routesNow) {
      const series = [...snaps.map((s) => s.routes.get(key)), r.vec]
      routes.push(routeFigures(r, series, seconds))
    }
    routes.sort((a, b) => b.count - a.count || (a.route + a.method).localeCompare(b.route + b.method))
    const subscriptions: SubscriptionFigures[] = []
    for (const [key, s] of subsNow) {
      const series = [...snaps.map((x) => x.subs.get(key)), s.vec]
      subscriptions.push(subFigures(s, series))
    }
    subscriptions.sort((a, b) => a.topic.localeCompare(b.topic) || a.subscription.localeCompare(b.subscription))
    return { window: { from, to: time, seconds }, routes, subscriptions }
  }

  private readRoutes(): Map<string, RouteNow> {
    const out = new Map<string, RouteNow>()
    const inst = this.registry.instruments.get('http.server.request.duration') as Instrument<'histogram'> | undefined
    if (!inst) return out
    for (const s of inst.series.values()) {
      const method = s.labels['http.request.method']
      const route = s.labels['http.route']
      if (method === undefined || route === undefined) continue
      const key = `${method} ${route}`
      let r = out.get(key)
      if (!r) {
        r = {
          method,
          route,
          bounds: s.bounds,
          vec: new Float64Array(R_BUCKETS + s.counts.length),
          exemplars: new Array(s.counts.length).fill(undefined),
        }
        out.set(key, r)
      }
      const cls = s.labels['http.response.status_class']
      r.vec[R_COUNT]! += s.count
      r.vec[R_SUM]! += s.sum
      if (cls === '5xx') r.vec[R_ERRORS]! += s.count
      if (cls === '4xx') r.vec[R_CLIENT]! += s.count
      addBuckets(r.vec, R_BUCKETS, s)
      for (let i = 0; i < s.counts.length; i++) {
        const e = s.exemplar(i)
        if (e && (!r.exemplars[i] || e.time > r.exemplars[i]!.time)) r.exemplars[i] = e
      }
    }
    return out
  }

  private readSubs(stats: SubscriptionStats[]): Map<string, SubNow> {
    const out = new Map<string, SubNow>()
    const wait = this.registry.instruments.get('motia.queue.wait.duration') as Instrument<'histogram'> | undefined
    const bounds = wait?.options.buckets ?? []
    const get = (topic: string, subscription: string) => {
      const key = `${topic}\u0000${subscription}`
      let s = out.get(key)
      if (!s) {
        s = { topic, subscription, bounds, vec: new Float64Array(S_BUCKETS + bounds.length + 1) }
        out.set(key, s)
      }
      return s
    }
    for (const st of stats) {
      const s = get(st.topic, st.subscription)
      s.vec[S_DEPTH] = st.ready + st.delayed
      s.vec[S_IN_FLIGHT] = st.inFlight
      s.vec[S_DEAD] = st.dead
    }
    const counters: [string, number][] = [
      ['motia.queue.processed', S_PROCESSED],
      ['motia.queue.retried', S_RETRIED],
      ['motia.queue.dead_lettered', S_DEAD_LETTERED],
    ]
    for (const [name, at] of counters) {
      const inst = this.registry.instruments.get(name) as Instrument<'counter'> | undefined
      for (const c of inst?.series.values() ?? []) {
        const { 'motia.topic': topic, 'motia.subscription': sub } = c.labels
        if (topic !== undefined && sub !== undefined) get(topic, sub).vec[at]! += c.value
      }
    }
    for (const h of wait?.series.values() ?? []) {
      const { 'motia.topic': topic, 'motia.subscription': sub } = h.labels
      if (topic === undefined || sub === undefined || h.counts.length !== bounds.length + 1) continue
      const s = get(topic, sub)
      s.vec[S_WAIT_COUNT]! += h.count
      s.vec[S_WAIT_COUNT + 1]! += h.sum
      addBuckets(s.vec, S_BUCKETS, h)
    }
    return out
  }
}

function addBuckets(vec: Float64Array, at: number, s: HistogramSeries): void {
  for (let i = 0; i < s.counts.length; i++) vec[at + i]! += s.counts[i]!
}

function same(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** `a - b` (b missing: the series began after it, so zero). */
function minus(a: Float64Array, b: Float64Array | undefined): Float64Array {
  const out = new Float64Array(a.length)
  for (let i = 0; i < a.length; i++) out[i] = a[i]! - (b?.[i] ?? 0)
  return out
}

/** Per-minute differences of neighbouring points; a missing point counts as zero. */
function steps(series: (Float64Array | undefined)[], last: Float64Array): Float64Array[] {
  const out: Float64Array[] = []
  for (let i = 1; i < series.length; i++) out.push(minus(series[i] ?? new Float64Array(last.length), series[i - 1]))
  return out
}

function routeFigures(r: RouteNow, series: (Float64Array | undefined)[], seconds: number): RouteFigures {
  // With no snapshot yet, the whole history is the window.
  const delta = series.length === 1 ? r.vec : minus(r.vec, series[0])
  const buckets = delta.subarray(R_BUCKETS)
  const p99 = quantile(0.99, r.bounds, buckets)
  const minutes = steps(series, r.vec)
  return {
    method: r.method,
    route: r.route,
    count: delta[R_COUNT]!,
    rate: delta[R_COUNT]! / seconds,
    errors: delta[R_ERRORS]!,
    clientErrors: delta[R_CLIENT]!,
    p50: quantile(0.5, r.bounds, buckets),
    p95: quantile(0.95, r.bounds, buckets),
    p99,
    ...(p99 === null ? {} : slowExemplar(r, p99)),
    buckets: Array.from(buckets, (count, i) => ({
      le: i < r.bounds.length ? r.bounds[i]! : null,
      count,
      ...(r.exemplars[i] ? { exemplar: r.exemplars[i] } : {}),
    })),
    points: {
      count: minutes.map((m) => m[R_COUNT]!),
      errors: minutes.map((m) => m[R_ERRORS]!),
      p95: minutes.map((m) => quantile(0.95, r.bounds, m.subarray(R_BUCKETS))),
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

function subFigures(s: SubNow, series: (Float64Array | undefined)[]): SubscriptionFigures {
  const delta = series.length === 1 ? s.vec : minus(s.vec, series[0])
  const waits = delta.subarray(S_BUCKETS)
  const minutes = steps(series, s.vec)
  return {
    topic: s.topic,
    subscription: s.subscription,
    depth: s.vec[S_DEPTH]!,
    inFlight: s.vec[S_IN_FLIGHT]!,
    dead: s.vec[S_DEAD]!,
    processed: delta[S_PROCESSED]!,
    retried: delta[S_RETRIED]!,
    deadLettered: delta[S_DEAD_LETTERED]!,
    lagP50: quantile(0.5, s.bounds, waits),
    lagP95: quantile(0.95, s.bounds, waits),
    points: {
      depth: series.slice(1).map((p) => p?.[S_DEPTH] ?? 0),
      processed: minutes.map((m) => m[S_PROCESSED]!),
      lagP95: minutes.map((m) => quantile(0.95, s.bounds, m.subarray(S_BUCKETS))),
    },
  }
}
