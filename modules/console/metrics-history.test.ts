import { expect, test } from 'bun:test'
import { manySeries } from '../../test/support/metrics-series'
import { SECONDS_BUCKETS } from '../observability/metrics/registry'
import { RuntimeMetrics } from '../observability/metrics/runtime-metrics'
import type { SubscriptionStats } from '../queue/adapter'
import { MetricsHistory, POINTS, quantile } from './metrics-history'

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0)
const MIN = 60_000

test('quantile is Prometheus histogram_quantile over bucket counts', () => {
  const bounds = [0.1, 0.5, 1]
  expect(quantile(0.5, bounds, [0, 0, 0, 0])).toBeNull()
  // 10 in (0, 0.1]: rank 5 of 10 → 0.05.
  expect(quantile(0.5, bounds, [10, 0, 0, 0])).toBeCloseTo(0.05, 12)
  // 8 fast, 2 in (0.5, 1]: p95 rank 9.5 → 0.5 + 0.5 × 1.5/2.
  expect(quantile(0.95, bounds, [8, 0, 2, 0])).toBeCloseTo(0.875, 12)
  // In the +Inf bucket: the highest finite bound.
  expect(quantile(0.99, bounds, [1, 0, 0, 9])).toBe(1)
})

test('an hour of route and subscription figures from per-minute snapshots of the registry', async () => {
  const m = new RuntimeMetrics()
  let stats: SubscriptionStats[] = [
    { topic: 'orders', subscription: 'Ship#0:orders', ready: 3, delayed: 1, inFlight: 1, dead: 0 },
  ]
  const history = new MetricsHistory(m.registry, async () => stats)
  const get = m.httpDuration
  const series = (cls: string) =>
    get.with({ 'http.request.method': 'GET', 'http.route': '/todos/:id', 'http.response.status_class': cls })
  // Before the first snapshot: 5 requests that must not count in the window.
  for (let i = 0; i < 5; i++) series('2xx').record(0.003)
  await history.snapshot(T0)
  // Minute 1: 10 fast answers (one traced), 2 slow errors (one traced).
  for (let i = 0; i < 9; i++) series('2xx').record(0.004)
  series('2xx').record(0.004, 'a'.repeat(32), T0 + 1000)
  series('5xx').record(0.3)
  series('5xx').record(0.6, 'b'.repeat(32), T0 + 2000)
  const sub = m.subscription('orders', 'Ship#0:orders')
  sub.processed.add(4)
  sub.retried.add(1)
  sub.deadLettered.add(1)
  for (let i = 0; i < 4; i++) sub.wait.record(0.02)
  await history.snapshot(T0 + MIN)
  // Minute 2 (under way): 4 not-found answers.
  for (let i = 0; i < 4; i++) series('4xx').record(0.001)
  stats = [{ topic: 'orders', subscription: 'Ship#0:orders', ready: 0, delayed: 0, inFlight: 0, dead: 1 }]

  const s = await history.summary(T0 + MIN + 30_000)
  expect(s.window).toEqual({ from: T0, to: T0 + 90_000, seconds: 90 })
  expect(s.routes.length).toBe(1)
  const r = s.routes[0]!
  expect(r).toMatchObject({ method: 'GET', route: '/todos/:id', count: 16, errors: 2, clientErrors: 4 })
  expect(r.rate).toBeCloseTo(16 / 90, 12)
  // 16 in the window: 4 in (0, 0.005] twice over (0.001 and 0.004 ×10 = 14 in the first bucket), 1 in (0.25, 0.5], 1 in (0.5, 0.75].
  expect(r.buckets.map((b) => b.count)).toEqual([14, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0])
  expect(r.buckets.map((b) => b.le)).toEqual([...SECONDS_BUCKETS, null])
  expect(r.p50).toBeCloseTo(0.005 * (8 / 14), 12)
  // p95: rank 15.2 → (0.25, 0.5] holds rank 15, (0.5, 0.75] rank 16: 0.5 + 0.25 × 0.2.
  expect(r.p95).toBeCloseTo(0.55, 12)
  expect(r.p99).toBeCloseTo(0.5 + 0.25 * 0.84, 12)
  expect(r.buckets[0]!.exemplar).toEqual({ traceId: 'a'.repeat(32), value: 0.004, time: T0 + 1000 })
  expect(r.buckets[8]!.exemplar?.traceId).toBe('b'.repeat(32))
  expect(r.buckets[7]!.exemplar).toBeUndefined()
  // The click on p99 opens the slow request's trace.
  expect(r.p99Exemplar?.traceId).toBe('b'.repeat(32))
  expect(r.points.count).toEqual([12, 4])
  expect(r.points.errors).toEqual([2, 0])
  expect(r.points.p95![0]).toBeCloseTo(0.5 + 0.25 * 0.4, 12)
  expect(r.points.p95![1]).toBeCloseTo(0.005 * 0.95, 12)

  expect(s.subscriptions).toEqual([
    {
      topic: 'orders',
      subscription: 'Ship#0:orders',
      depth: 0,
      inFlight: 0,
      dead: 1,
      processed: 4,
      retried: 1,
      deadLettered: 1,
      lagP50: expect.closeTo(0.01 + 0.015 * 0.5, 12),
      lagP95: expect.closeTo(0.01 + 0.015 * 0.95, 12),
      points: { depth: [4, 0], processed: [4, 0], lagP95: [expect.closeTo(0.01 + 0.015 * 0.95, 12), null] },
    },
  ])
})

test('an exemplar whose trace may have left the store (retention, a failed write) is not offered', async () => {
  const m = new RuntimeMetrics()
  const history = new MetricsHistory(
    m.registry,
    async () => [],
    (time) => time < T0 + 5000,
  )
  const route = m.httpDuration.with({
    'http.request.method': 'GET',
    'http.route': '/slow',
    'http.response.status_class': '2xx',
  })
  route.record(0.6, 'c'.repeat(32), T0 + 1000) // pruned since
  route.record(0.004, 'd'.repeat(32), T0 + 6000)
  const r = (await history.summary(T0 + 10_000)).routes[0]!
  expect(r.buckets[8]!.exemplar).toBeUndefined()
  expect(r.buckets[0]!.exemplar?.traceId).toBe('d'.repeat(32))
  // p99 falls in the slow bucket, which has none: the nearest faster one's trace opens.
  expect(r.p99Exemplar?.traceId).toBe('d'.repeat(32))
})

test('it keeps at most an hour: 60 points, the window starting at the oldest kept snapshot', async () => {
  const m = new RuntimeMetrics()
  const history = new MetricsHistory(m.registry, async () => [])
  const route = m.httpDuration.with({
    'http.request.method': 'GET',
    'http.route': '/hello',
    'http.response.status_class': '2xx',
  })
  for (let i = 0; i < POINTS + 30; i++) {
    if (i % 10 === 0) route.record(0.001)
    await history.snapshot(T0 + i * MIN)
  }
  expect(history.size).toBe(POINTS)
  const s = await history.summary(T0 + (POINTS + 30) * MIN)
  const r = s.routes[0]!
  expect(r.points.count.length).toBe(POINTS)
  // Snapshots from minute 30 to 89 kept: records at 40, 50, 60, 70, 80 happened after the oldest.
  expect(s.window.from).toBe(T0 + 30 * MIN)
  expect(r.count).toBe(5)
})

test('memory: a ring only for series that moved, bounded by the hour whatever the traffic', async () => {
  const m = new RuntimeMetrics()
  const history = new MetricsHistory(m.registry, async () => [])
  const { routes, subs } = manySeries(m)
  await history.snapshot(T0)
  await history.snapshot(T0 + MIN)
  // Nothing moved: only the last values (1,020 series × ~19 numbers).
  const idle = history.bytes
  expect(idle).toBeLessThan(200_000)
  // Every series moves every minute for two hours.
  for (let k = 2; k < 120; k++) {
    for (const r of routes) r.record(0.01)
    for (const s of subs) s.processed.add(1)
    await history.snapshot(T0 + k * MIN)
  }
  const busy = history.bytes
  // 1,020 rings of 59 minutes × 19 (routes) / 24 (subscriptions) 32-bit numbers: ~4.7 MB, not growing.
  expect(busy).toBeLessThan(5_000_000)
  for (const r of routes) r.record(0.01)
  await history.snapshot(T0 + 120 * MIN)
  expect(history.bytes).toBe(busy)
  const t = performance.now()
  const s = await history.summary(T0 + 120 * MIN + 1000)
  const ms = performance.now() - t
  expect(s.routes.length).toBe(1000)
  expect(s.routes[0]!.count).toBe(59)
  expect(s.routes[0]!.points.count.length).toBe(POINTS)
  expect(s.subscriptions[0]!.processed).toBe(59 - 1)
  console.log(`1,000 routes and 20 subscriptions: rings ${(busy / 1e6).toFixed(2)} MB, summary ${ms.toFixed(0)} ms`)
})

test('a gauge that stood still, then moved, keeps its value in the minutes before', async () => {
  const m = new RuntimeMetrics()
  let depth = 4
  const history = new MetricsHistory(m.registry, async () => [
    { topic: 'a', subscription: 'S#0:a', ready: depth, delayed: 0, inFlight: 0, dead: 0 },
  ])
  for (let k = 0; k < 3; k++) await history.snapshot(T0 + k * MIN)
  depth = 1
  await history.snapshot(T0 + 3 * MIN)
  depth = 0
  const s = await history.summary(T0 + 3 * MIN + 1000)
  expect(s.subscriptions[0]!.points.depth).toEqual([4, 4, 1, 0])
})
