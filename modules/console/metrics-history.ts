import { TimeSlice } from '../../runtime/time-slice'
import type { HistogramSeries, Instrument, MetricRegistry } from '../observability/metrics/registry'
import type { SubscriptionStats } from '../queue/adapter'
import {
  type MetricsSummary,
  R_BUCKETS,
  R_CLIENT,
  R_COUNT,
  R_ERRORS,
  R_SUM,
  type RouteFigures,
  type RouteNow,
  routeFigures,
  S_BUCKETS,
  S_DEAD,
  S_DEAD_LETTERED,
  S_DEPTH,
  S_IN_FLIGHT,
  S_PROCESSED,
  S_RETRIED,
  S_WAIT_COUNT,
  type SubNow,
  type SubscriptionFigures,
  subFigures,
} from './metrics-figures'

export type { BucketFigure, MetricsSummary, RouteFigures, SubscriptionFigures } from './metrics-figures'
export { quantile } from './metrics-figures'

/** Points per series: one an hour of minutes (the last one is the minute under way). */
export const POINTS = 60
export const MINUTE_MS = 60_000

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
 * registry when a snapshot or a summary is taken, in slices of 0.5 ms (1,000 routes took ~150 ms
 * in one piece: a single connection's p99), one snapshot or summary at a time.
 */
export class MetricsHistory {
  /** Snapshot times, oldest first (≤ POINTS). */
  private readonly times: number[] = []
  private taken = 0
  private readonly routes = new Map<string, Ring>()
  private readonly subs = new Map<string, Ring>()
  /** The snapshot or summary under way: the next one starts after it (both span several slices). */
  private turn: Promise<unknown> = Promise.resolve()
  private scratch = new Float64Array(0)

  constructor(
    private readonly registry: MetricRegistry,
    private readonly queueStats: () => Promise<SubscriptionStats[]>,
    /** Whether the trace of an exemplar taken at `time` may be missing: the console offers none that is. */
    private readonly traceGone: (time: number) => boolean = () => false,
  ) {}

  /** Takes the minute's snapshot (the console calls it every minute; tests with their own clock). */
  snapshot(time = Date.now()): Promise<void> {
    return this.inTurn(() => this.take(time))
  }

  /** Figures over the kept window up to `time`, read from the registry and the queue now. */
  summary(time = Date.now()): Promise<MetricsSummary> {
    return this.inTurn(() => this.sum(time))
  }

  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    const run = this.turn.then(work, work)
    this.turn = run.catch(() => {})
    return run
  }

  private async take(time: number): Promise<void> {
    const slice = new TimeSlice()
    const routes = await this.readRoutes(slice)
    const subs = await this.readSubs(await this.queueStats().catch(() => []), slice)
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
    // Every ring moves to snapshot k at once (a summary in between would mix two snapshots).
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

  private async sum(time: number): Promise<MetricsSummary> {
    const slice = new TimeSlice()
    const routesNow = await this.readRoutes(slice)
    const subsNow = await this.readSubs(await this.queueStats().catch(() => []), slice)
    const from = this.times[0] ?? time
    const seconds = Math.max((time - from) / 1000, 0.001)
    const routes: RouteFigures[] = []
    for (const [key, r] of routesNow) {
      if (slice.due()) await slice.next()
      routes.push(routeFigures(r, this.minutesOf(this.routes.get(key), r.vec), seconds))
    }
    routes.sort((a, b) => b.count - a.count || (a.route + a.method).localeCompare(b.route + b.method))
    const subscriptions: SubscriptionFigures[] = []
    for (const [key, s] of subsNow) {
      if (slice.due()) await slice.next()
      subscriptions.push(subFigures(s, this.minutesOf(this.subs.get(key), s.vec)))
    }
    subscriptions.sort((a, b) => a.topic.localeCompare(b.topic) || a.subscription.localeCompare(b.subscription))
    return { window: { from, to: time, seconds }, routes, subscriptions }
  }

  /**
   * A series' points, oldest first, in one array (`points × width`): the kept minutes, then the
   * minute under way (now minus the last snapshot; a series the snapshots never saw: all of it).
   * Valid until the next call.
   */
  private minutesOf(ring: Ring | undefined, now: Float64Array): { data: Float64Array; points: number } {
    const kept = Math.min(Math.max(this.taken - 1, 0), SLOTS)
    const width = now.length
    const size = (kept + 1) * width
    // One buffer for every series (read at once by the figures): 1,000 routes made 9 MB of garbage.
    if (this.scratch.length < size) this.scratch = new Float64Array(size)
    const data = this.scratch.subarray(0, size).fill(0)
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

  /** Each series is read whole; a request between two slices counts in the series it lands in. */
  private async readRoutes(slice: TimeSlice): Promise<Map<string, RouteNow>> {
    const out = new Map<string, RouteNow>()
    const inst = this.registry.instruments.get('http.server.request.duration') as Instrument<'histogram'> | undefined
    if (!inst) return out
    for (const s of [...inst.series.values()]) {
      if (slice.due()) await slice.next()
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
        if (e && (!r.exemplars[i] || e.time > r.exemplars[i]!.time) && !this.traceGone(e.time)) r.exemplars[i] = e
      }
    }
    return out
  }

  private async readSubs(stats: SubscriptionStats[], slice: TimeSlice): Promise<Map<string, SubNow>> {
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
      for (const c of [...(inst?.series.values() ?? [])]) {
        if (slice.due()) await slice.next()
        const { 'motia.topic': topic, 'motia.subscription': sub } = c.labels
        if (topic !== undefined && sub !== undefined) get(topic, sub).vec[at]! += c.value
      }
    }
    for (const h of [...(wait?.series.values() ?? [])]) {
      if (slice.due()) await slice.next()
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
