import { expect, test } from 'bun:test'
import { fixtureRuntime, tempProjects } from '../../../test/support/runtime'
import { metricsEndpointOf } from './otlp-metrics'

const project = tempProjects('motia-otlp-metrics-')

interface KeyValue {
  key: string
  value: { stringValue?: string }
}
interface Payload {
  resourceMetrics: {
    resource: { attributes: KeyValue[] }
    scopeMetrics: { scope: { name: string }; metrics: Record<string, any>[] }[]
  }[]
}

const attrs = (kvs: KeyValue[]) => Object.fromEntries(kvs.map((kv) => [kv.key, kv.value.stringValue]))

test('the metrics URL sits beside the traces URL', () => {
  expect(metricsEndpointOf('http://otel:4318/v1/traces')).toBe('http://otel:4318/v1/metrics')
  expect(metricsEndpointOf('http://otel:4318/')).toBe('http://otel:4318/v1/metrics')
})

test('OTLP/HTTP metrics reach a loopback receiver: resource, instrument names, cumulative sums, histogram exemplars', async () => {
  const payloads: Payload[] = []
  const paths = new Set<string>()
  using receiver = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(req) {
      const path = new URL(req.url).pathname
      paths.add(path)
      if (path === '/v1/metrics') payloads.push((await req.json()) as Payload)
      return new Response('{}', { headers: { 'content-type': 'application/json' } })
    },
  })
  const dir = project({
    'config.yaml': [
      'instanceId: shop-7',
      'observability:',
      '  otlp:',
      `    endpoint: http://127.0.0.1:${receiver.port}/v1/traces`,
      '    serviceName: shop',
      '    metricsInterval: 50ms',
    ].join('\n'),
    'steps/hello.step.ts': [
      "import { metrics } from '@opentelemetry/api'",
      "import { http } from 'motia'",
      "const greeted = metrics.getMeter('shop').createCounter('shop.greetings')",
      "export const config = { name: 'Hello', triggers: [http('GET', '/hello/:who')] } as const",
      'export const handler = async (req) => {',
      '  greeted.add(2, { who: req.pathParams.who })',
      "  return { status: 200, body: 'hi' }",
      '}',
    ].join('\n'),
  })
  await using rt = await fixtureRuntime(dir, { mode: 'start' })
  await rt.request('/hello/ann')
  const traceId = (await rt.request('/hello/bob')).headers.get('x-trace-id')!
  // Exports are cumulative: wait for one that holds both requests.
  let metrics: Record<string, any> = {}
  let resource: Record<string, string | undefined> = {}
  for (let i = 0; i < 500; i++) {
    const last = payloads[payloads.length - 1]
    if (last) {
      const rm = last.resourceMetrics[0]!
      resource = attrs(rm.resource.attributes)
      metrics = Object.fromEntries(rm.scopeMetrics[0]!.metrics.map((m) => [m.name, m]))
      const points = metrics['http.server.request.duration']?.histogram.dataPoints ?? []
      if (points.reduce((n: number, p: { count: string }) => n + Number(p.count), 0) === 2) break
    }
    await Bun.sleep(10)
  }
  expect(paths.has('/v1/metrics')).toBe(true)
  expect(resource).toMatchObject({ 'service.name': 'shop', 'service.instance.id': 'shop-7' })
  expect(Object.keys(metrics)).toEqual(
    expect.arrayContaining([
      'http.server.request.duration',
      'motia.step.executions',
      'motia.step.duration',
      'process.memory.usage',
      'shop.greetings',
    ]),
  )
  const http = metrics['http.server.request.duration']
  expect(http.unit).toBe('s')
  expect(http.histogram.aggregationTemporality).toBe(2)
  const [point] = http.histogram.dataPoints
  expect(attrs(point.attributes)).toEqual({
    'http.request.method': 'GET',
    'http.route': '/hello/:who',
    'http.response.status_class': '2xx',
  })
  expect(point.count).toBe('2')
  expect(point.bucketCounts.reduce((n: number, c: string) => n + Number(c), 0)).toBe(2)
  expect(point.explicitBounds.length).toBe(point.bucketCounts.length - 1)
  expect(BigInt(point.startTimeUnixNano)).toBeLessThan(BigInt(point.timeUnixNano))
  // Exemplars: the trace of a request in the bucket it fell in (the newest of each bucket).
  const exemplarIds = point.exemplars.map((e: { traceId: string }) => e.traceId)
  expect(exemplarIds.length).toBeGreaterThan(0)
  expect(exemplarIds.every((id: string) => /^[0-9a-f]{32}$/.test(id))).toBe(true)
  // The last request is the newest observation of its bucket: its trace is that bucket's exemplar.
  expect(exemplarIds).toContain(traceId)
  const greetings = metrics['shop.greetings']
  expect(greetings.sum).toMatchObject({ aggregationTemporality: 2, isMonotonic: true })
  expect(
    greetings.sum.dataPoints
      .map((p: { attributes: KeyValue[]; asDouble: number }) => [attrs(p.attributes).who, p.asDouble])
      .sort(),
  ).toEqual([
    ['ann', 2],
    ['bob', 2],
  ])
  expect(metrics['process.memory.usage'].gauge.dataPoints[0].asDouble).toBeGreaterThan(1_000_000)
})
