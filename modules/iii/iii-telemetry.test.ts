import { afterAll, beforeAll, expect, test } from 'bun:test'
import { fixtureRuntime, tempProjects } from '../../test/support/runtime'
import { OBSERVABILITY_KEY, type ObservabilityApi } from '../observability/observability-module'
import type { IiiModuleApi } from './iii-module'
import { III_TEST_CONFIG, TestWorker } from './test-worker'

// The SDKs' OTel exports (OTLP/JSON frames prefixed OTLP / LOGS / MTRC, as iii-sdk's exporters
// write them): spans in motia's trace store under the caller's trace, logs in motia's log,
// metrics in the registry.
const project = tempProjects('motia-iii-otel-')
let rt: Awaited<ReturnType<typeof fixtureRuntime>>
let url: string
const open: TestWorker[] = []
const connect = async () => {
  const w = await TestWorker.connect(url)
  open.push(w)
  await w.next('workerregistered')
  return w
}
const kv = (key: string, v: string | number) => ({
  key,
  value: typeof v === 'string' ? { stringValue: v } : { doubleValue: v },
})
const nanos = (ms: number) => `${BigInt(Math.round(ms)) * 1_000_000n}`

beforeAll(async () => {
  rt = await fixtureRuntime(
    project({
      'config.yaml': III_TEST_CONFIG,
    }),
    { listen: true, mode: 'start' },
  )
  url = (rt.services.shared.get('iii') as IiiModuleApi).url()!
})
afterAll(async () => {
  for (const w of open) w.close()
  await rt?.stop()
})

test("a worker's exported span joins the caller's trace under the engine's call span", async () => {
  const worker = await connect()
  let parent = ''
  worker.register('otel::work', () => null)
  const caller = await connect()
  const traceId = 'ab'.repeat(16)
  const callerSpan = 'cd'.repeat(8)
  const seen = worker.next('invokefunction')
  caller.send({
    type: 'invokefunction',
    invocation_id: crypto.randomUUID(),
    function_id: 'otel::work',
    data: {},
    traceparent: `00-${traceId}-${callerSpan}-01`,
  })
  const invoke = await seen
  parent = (invoke as { traceparent: string }).traceparent.split('-')[2]!
  expect(parent).not.toBe(callerSpan)

  const exporter = await connect()
  const start = Date.now()
  const spanId = 'ef'.repeat(8)
  const frame = {
    resourceSpans: [
      {
        resource: { attributes: [kv('service.name', 'billing-worker')] },
        scopeSpans: [
          {
            spans: [
              {
                traceId,
                spanId,
                parentSpanId: parent,
                name: 'charge card',
                kind: 1,
                startTimeUnixNano: nanos(start),
                endTimeUnixNano: nanos(start + 5),
                attributes: [kv('order.id', 'o-1')],
                events: [],
                status: { code: 0 },
              },
            ],
          },
        ],
      },
    ],
  }
  exporter.ws.send(new TextEncoder().encode(`OTLP${JSON.stringify(frame)}`))
  const obs = rt.services.shared.get(OBSERVABILITY_KEY) as ObservabilityApi
  let span: any
  for (let i = 0; i < 100 && !span; i++) {
    await obs.flush()
    span = obs.getTrace(traceId)?.spans.find((s) => s.spanId === spanId)
    if (!span) await Bun.sleep(20)
  }
  expect(span).toMatchObject({
    parentSpanId: parent,
    name: 'charge card',
    attributes: { 'service.name': 'billing-worker', 'order.id': 'o-1' },
  })
  expect(span.endTime - span.startTime).toBeCloseTo(5, 0)
  // The engine's call span is in the same trace, child of the caller's span.
  const call = obs.getTrace(traceId)!.spans.find((s) => s.spanId === parent)
  expect(call).toMatchObject({ name: 'call otel::work', parentSpanId: callerSpan })
})

test("a worker's exported logs reach motia's log; its gauges and sums the metrics registry", async () => {
  const exporter = await connect()
  const logs = {
    resourceLogs: [
      {
        resource: { attributes: [kv('service.name', 'billing-worker')] },
        scopeLogs: [
          {
            logRecords: [
              {
                timeUnixNano: nanos(Date.now()),
                severityNumber: 13,
                body: { stringValue: 'card declined' },
                attributes: [kv('order.id', 'o-2')],
              },
            ],
          },
        ],
      },
    ],
  }
  exporter.ws.send(`LOGS${JSON.stringify(logs)}`)
  const sum = (total: number) => ({
    resourceMetrics: [
      {
        scopeMetrics: [
          {
            metrics: [
              { name: 'worker_queue_depth', gauge: { dataPoints: [{ asDouble: 7, attributes: [kv('q', 'a')] }] } },
              {
                name: 'worker_charges',
                sum: { isMonotonic: true, aggregationTemporality: 2, dataPoints: [{ asInt: total, attributes: [] }] },
              },
            ],
          },
        ],
      },
    ],
  })
  exporter.ws.send(`MTRC${JSON.stringify(sum(3))}`)
  exporter.ws.send(`MTRC${JSON.stringify(sum(5))}`)
  let record: any
  for (let i = 0; i < 100 && !record; i++) {
    record = rt.records.find((r) => r.msg === 'card declined')
    if (!record) await Bun.sleep(20)
  }
  expect(record).toMatchObject({ level: 'warn', step: 'billing-worker', fields: { 'order.id': 'o-2' } })
  const registry = rt.services.engine.metrics!.registry
  for (let i = 0; i < 100 && (registry.counter('worker_charges').with().value as number) < 5; i++) await Bun.sleep(20)
  // Cumulative totals 3 then 5: the counter added 3 and 2.
  expect(registry.counter('worker_charges').with().value).toBe(5)
  expect(registry.gauge('worker_queue_depth').with({ q: 'a' }).value).toBe(7)
})
