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

/** Slots of a ring: the minutes between the kept snapshots. */
const SLOTS = POINTS - 1

/**
 * One series' hour: its cumulative figures at the last snapshot, and per finished minute the
 * difference (gauges: the value), in a ring made when the series first moves.
 */
class Ring {
  last: Float64Array
  /** SLOTS × width; slot `(k - 1) % SLOTS` holds the minute ending at snapshot k. */
  minutes: Float32Array | undefined

  constructor(
    readonly width: number,
    readonly gauges: number,
  ) {
    this.last = new Float64Array(width)
  }
}

/**
 * The console's hour of metrics. The registry keeps cumulative values only, so at start and
 * once a minute this takes a snapshot of every route's latency histogram and every queue
 * subscription's counters, lag histogram and depth, and keeps the last 59 minutes' differences
 * in a ring per series: figures over the hour are the sum of the kept minutes plus the minute
 * under way (the registry now minus the last snapshot); each minute is a point. Memory: per
 * series that ever moved, 59 × its width (19 for a route) 32-bit numbers, ~4.5 KB; none for
 * the others, and never more with more requests. Nothing here runs on a request: it reads the
 * registry when a snapshot or a summary is taken.
 */
export class MetricsHistory {
  /** Snapshot times, oldest first (≤ POINTS). */
  private readonly times: number[] = []
  private taken = 0
  private readonly routes = new Map<string, Ring>()
  private readonly subs = new Map<string, Ring>()

  constructor(
    private readonly registry: MetricRegistry,
    private readonly queueStats: () => Promise<SubscriptionStats[]>,
  ) {}

  /** Takes the minute's snapshot (the console calls it every minute; tests with their own clock). */
  async snapshot(time = Date.now()): Promise<void> {
    const routes = this.readRoutes()
    const subs = this.readSubs(await this.queueStats().catch(() => []))
    const k = this.taken++
    const record = (rings: Map<string, Ring>, key: string, vec: Float64Array, gauges: number) => {
      let ring = rings.get(key)
      if (!ring) {
        // New since the last snapshot: it was all zeros then.
        ring = new Ring(vec.length, gauges)
        rings.set(key, ring)
      }
      if (k > 0) {
        let moved = ring.minutes !== undefined
        for (let i = 0; i < vec.length && !moved; i++) moved = vec[i] !== ring.last[i]
        if (moved) {
          if (!ring.minutes) {
            ring.minutes = new Float32Array(SLOTS * ring.width)
            // The minutes before it moved: no counts, the gauges as they stood.
            for (let p = 0; p < SLOTS; p++) ring.minutes.set(ring.last.subarray(0, gauges), p * ring.width)
          }
          const at = ((k - 1) % SLOTS) * ring.width
          for (let i = 0; i < vec.length; i++) ring.minutes[at + i] = i < gauges ? vec[i]! : vec[i]! - ring.last[i]!
        }
      }
      ring.last.set(vec)
    }
    for (const [key, r] of routes) record(this.routes, key, r.vec, 0)
    for (const [key, s] of subs) record(this.subs, key, s.vec, S_PROCESSED)
    this.times.push(time)
    if (this.times.length > POINTS) this.times.shift()
  }

  /** Snapshots taken so far (`taken`; the live feed sends new figures when one is taken). */
  get snapshots(): number {
    return this.taken
  }

  /** Snapshots kept (≤ POINTS). */
  get size(): number {
    return this.times.length
  }

  /** Bytes the rings hold (their minutes and last values). */
  get bytes(): number {
    let n = 0
    for (const rings of [this.routes, this.subs])
      for (const r of rings.values()) n += r.last.byteLength + (r.minutes?.byteLength ?? 0)
    return n
  }

  /** Figures over the kept window up to `time`, read from the registry and the queue now. */
  async summary(time = Date.now()): Promise<MetricsSummary> {
    const routesNow = this.readRoutes()
    const subsNow = this.readSubs(await this.queueStats().catch(() => []))
    const from = this.times[0] ?? time
    const seconds = Math.max((time - from) / 1000, 0.001)
    const routes: RouteFigures[] = []
    for (const [key, r] of routesNow) routes.push(routeFigures(r, this.minutesOf(this.routes.get(key), r.vec), seconds))
    routes.sort((a, b) => b.count - a.count || (a.route + a.method).localeCompare(b.route + b.method))
    const subscriptions: SubscriptionFigures[] = []
    for (const [key, s] of subsNow) subscriptions.push(subFigures(s, this.minutesOf(this.subs.get(key), s.vec)))
    subscriptions.sort((a, b) => a.topic.localeCompare(b.topic) || a.subscription.localeCompare(b.subscription))
    return { window: { from, to: time, seconds }, routes, subscriptions }
  }

  /**
   * A series' points, oldest first, in one array (`points × width`): the kept minutes, then the
   * minute under way (now minus the last snapshot; a series the snapshots never saw: all of it).
   */
  private minutesOf(ring: Ring | undefined, now: Float64Array): { data: Float64Array; points: number } {
    const kept = Math.min(Math.max(this.taken - 1, 0), SLOTS)
    const width = now.length
    const data = new Float64Array((kept + 1) * width)
    const gauges = ring?.gauges ?? 0
    for (let p = 0; p < kept; p++) {
      // Minute ending at snapshot k = taken - kept + p.
      const k = this.taken - kept + p
      if (ring?.minutes)
        data.set(ring.minutes.subarray(((k - 1) % SLOTS) * width, ((k - 1) % SLOTS) * width + width), p * width)
      else if (ring && gauges) data.set(ring.last.subarray(0, gauges), p * width)
    }
    const at = kept * width
    for (let i = 0; i < width; i++) data[at + i] = i < gauges ? now[i]! : now[i]! - (ring?.last[i] ?? 0)
    return { data, points: kept + 1 }
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
      s.vec[S_DEPTH] = st.ready + (st.delayed ?? 0)
      s.vec[S_IN_FLIGHT] = st.inFlight ?? 0
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

type Minutes = { data: Float64Array; points: number }

/** The sum over every point of field `i`. */
function total(m: Minutes, width: number, i: number): number {
  let n = 0
  for (let p = 0; p < m.points; p++) n += m.data[p * width + i]!
  return n
}

function column(m: Minutes, width: number, i: number): number[] {
  return Array.from({ length: m.points }, (_, p) => m.data[p * width + i]!)
}

function routeFigures(r: RouteNow, m: Minutes, seconds: number): RouteFigures {
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

function subFigures(s: SubNow, m: Minutes): SubscriptionFigures {
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
