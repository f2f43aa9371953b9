import { describe, expect, test } from 'bun:test'
import { renderPrometheus } from './prometheus-text'
import { MAX_SERIES, MetricRegistry } from './registry'
import { RuntimeMetrics } from './runtime-metrics'

const TRACE = '0123456789abcdef0123456789abcdef'

describe('metric registry', () => {
  test('histogram buckets hold the right counts; Prometheus text is cumulative with sum and count', async () => {
    const reg = new MetricRegistry()
    const h = reg.histogram('job.duration', { unit: 's', buckets: [0.1, 1] }).with({ step: 'A' })
    for (const v of [0.05, 0.1, 0.5, 2, 3]) h.record(v)
    expect([...h.counts]).toEqual([2, 1, 2])
    const text = renderPrometheus(await reg.collect(), { 'service.instance.id': 'i-1' }, false)
    expect(text).toContain('target_info{service_instance_id="i-1"} 1')
    expect(text).toContain('# TYPE job_duration_seconds histogram')
    expect(text).toContain('job_duration_seconds_bucket{step="A",le="0.1"} 2\n')
    expect(text).toContain('job_duration_seconds_bucket{step="A",le="1"} 3\n')
    expect(text).toContain('job_duration_seconds_bucket{step="A",le="+Inf"} 5\n')
    expect(text).toContain('job_duration_seconds_sum{step="A"} 5.65\n')
    expect(text).toContain('job_duration_seconds_count{step="A"} 5\n')
  })

  test('OpenMetrics: counters as families with _total samples, exemplars with the trace id on buckets, # EOF', async () => {
    const reg = new MetricRegistry()
    reg.counter('motia.queue.processed', { unit: '{message}' }).with({ 'motia.topic': 'a' }).add(3)
    reg
      .histogram('http.server.request.duration', { unit: 's' })
      .with({ 'http.route': '/x' })
      .record(0.003, TRACE, 1_700_000_000_000)
    const text = renderPrometheus(await reg.collect(), {}, true)
    expect(text).toContain('# TYPE motia_queue_processed counter\nmotia_queue_processed_total{motia_topic="a"} 3\n')
    expect(text).toContain(
      `http_server_request_duration_seconds_bucket{http_route="/x",le="0.005"} 1 # {trace_id="${TRACE}"} 0.003 1700000000.000\n`,
    )
    expect(text).toContain('# UNIT http_server_request_duration_seconds seconds')
    expect(text.endsWith('# EOF\n')).toBe(true)
    // Plain Prometheus text carries no exemplars.
    expect(renderPrometheus(await reg.collect(), {}, false)).not.toContain('trace_id')
  })

  test(`an instrument keeps at most ${MAX_SERIES} series; the rest fold into one overflow series`, () => {
    const reg = new MetricRegistry()
    const c = reg.counter('c')
    for (let i = 0; i < MAX_SERIES + 500; i++) c.with({ id: String(i) }).add(1)
    expect(c.series.size).toBe(MAX_SERIES + 1)
    expect(c.with({ 'otel.metric.overflow': 'true' }).value).toBe(500)
  })

  test('a route resolves its series once: requests of every status class land in their series', () => {
    const m = new RuntimeMetrics()
    const r = m.route('GET', '/todos/:id', 'GetTodo')
    for (const s of [200, 201, 404, 500, 503]) r.done(s, performance.now())
    const counts = [...m.httpDuration.series.values()].map((s) => [s.labels['http.response.status_class'], s.count])
    expect(counts).toEqual([
      ['2xx', 2],
      ['4xx', 1],
      ['5xx', 2],
    ])
    expect(m.stepFailures.with({ 'motia.step': 'GetTodo', 'motia.trigger.type': 'http' }).value).toBe(2)
  })
})

test('memory: the metrics of 1,000 routes (three status classes each) and 20 topics stay under 10 MB', () => {
  Bun.gc(true)
  const before = process.memoryUsage().heapUsed
  const m = new RuntimeMetrics()
  for (let i = 0; i < 1000; i++) {
    const r = m.route('GET', `/route-${i}/:id`, `Step${i}`)
    for (const s of [200, 404, 500]) r.done(s, performance.now(), TRACE)
  }
  for (let t = 0; t < 20; t++) {
    const s = m.subscription(`topic-${t}`, `Step${t}#0:topic-${t}`)
    s.processed.add(1)
    s.retried.add(1)
    s.deadLettered.add(1)
    s.wait.record(0.01)
    m.step(`Step${t}`, 'queue').ran(0.01, false)
  }
  Bun.gc(true)
  const used = process.memoryUsage().heapUsed - before
  expect(m.httpDuration.series.size).toBe(3000)
  expect(used).toBeLessThan(10 * 1024 * 1024) // measured: ~3.7 MB
})
