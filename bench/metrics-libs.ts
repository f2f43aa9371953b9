/**
 * What one HTTP request's metrics cost in each candidate registry: a request counter and a
 * duration histogram (route, method, status class), as the hello route records them. The
 * in-house registry (modules/observability/metrics) against @opentelemetry/sdk-metrics and
 * prom-client, which are not dependencies: install them somewhere and point NODE_PATH at it,
 *   mkdir -p .scratch && (cd .scratch && npm i prom-client@15 @opentelemetry/sdk-metrics@2)
 *   NODE_PATH=.scratch/node_modules bun bench/metrics-libs.ts
 * Prints ns per request for each (median of 5 alternating rounds).
 */
import { MetricRegistry } from '../modules/observability/metrics/registry'

const N = 2_000_000
const ROUTES = ['/hello', '/todos/:id', '/orders']
const STATUS = ['2xx', '2xx', '2xx', '4xx']

type Rec = (i: number) => void
/** Not dependencies of motia: loaded by name from NODE_PATH. */
const load = (name: string): Promise<any> => import(name)

async function candidates(): Promise<[string, Rec][]> {
  const out: [string, Rec][] = []
  const reg = new MetricRegistry()
  const count = reg.counter('http.server.requests')
  const dur = reg.histogram('http.server.request.duration', { unit: 's' })
  // Resolved once per route, as the router does at build time.
  const pre = ROUTES.map((r) =>
    STATUS.map((s) => ({
      c: count.with({ 'http.route': r, 'http.request.method': 'GET', 'http.response.status_class': s }),
      h: dur.with({ 'http.route': r, 'http.request.method': 'GET', 'http.response.status_class': s }),
    })),
  )
  out.push([
    'in-house',
    (i) => {
      const p = pre[i % 3]![i & 3]!
      p.c.add(1)
      p.h.record((i % 100) / 10_000, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 1)
    },
  ])
  try {
    const prom = await load('prom-client')
    const registry = new prom.Registry()
    const c = new prom.Counter({
      name: 'http_requests_total',
      help: 'h',
      labelNames: ['route', 'method', 'status'],
      registers: [registry],
    })
    const h = new prom.Histogram({
      name: 'http_duration_seconds',
      help: 'h',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
      registers: [registry],
    })
    const bound = ROUTES.map((r) =>
      STATUS.map((s) => ({
        c: c.labels({ route: r, method: 'GET', status: s }),
        h: h.labels({ route: r, method: 'GET', status: s }),
      })),
    )
    out.push([
      'prom-client (bound labels)',
      (i) => {
        const p = bound[i % 3]![i & 3]!
        p.c.inc()
        p.h.observe((i % 100) / 10_000)
      },
    ])
  } catch {
    console.log('  prom-client not installed: skipped')
  }
  try {
    const sdk = await load('@opentelemetry/sdk-metrics')
    const provider = new sdk.MeterProvider({
      readers: [
        new sdk.PeriodicExportingMetricReader({
          exporter: new sdk.InMemoryMetricExporter(sdk.AggregationTemporality.CUMULATIVE),
          exportIntervalMillis: 3_600_000,
        }),
      ],
    })
    const meter = provider.getMeter('bench')
    const c = meter.createCounter('http.server.requests')
    const h = meter.createHistogram('http.server.request.duration', { unit: 's' })
    const attrs = ROUTES.map((r) =>
      STATUS.map((s) => ({ 'http.route': r, 'http.request.method': 'GET', 'http.response.status_class': s })),
    )
    out.push([
      '@opentelemetry/sdk-metrics',
      (i) => {
        const a = attrs[i % 3]![i & 3]!
        c.add(1, a)
        h.record((i % 100) / 10_000, a)
      },
    ])
  } catch (err) {
    console.log(`  @opentelemetry/sdk-metrics not installed: skipped (${(err as Error).message})`)
  }
  return out
}

function round(rec: Rec): number {
  Bun.gc(true)
  const t0 = Bun.nanoseconds()
  for (let i = 0; i < N; i++) rec(i)
  return (Bun.nanoseconds() - t0) / N
}

const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const cands = await candidates()
for (const [, rec] of cands) round(rec) // warm-up
const results = new Map<string, number[]>()
for (let r = 0; r < 5; r++) {
  for (const [name, rec] of cands) results.set(name, [...(results.get(name) ?? []), round(rec)])
}
console.log(`one request's counter + histogram, ${N.toLocaleString()} requests, median of 5 alternating rounds`)
for (const [name, ns] of results) console.log(`  ${name.padEnd(28)} ${med(ns).toFixed(1).padStart(7)} ns/request`)
