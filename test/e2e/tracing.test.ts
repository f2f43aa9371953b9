import { expect, test } from 'bun:test'
import { startMotia } from '../support/binary'
import { tracedFixture } from '../support/traced'

// Tracing through the compiled binary: a step file importing @opentelemetry/api with no
// node_modules, spans from the engine thread and a worker, the console's trace API, OTLP export,
// and traces that survive a restart.
const project = tracedFixture()
const { received } = project

const SPANS = ['POST /orders', 'price order', 'enqueue order.placed', 'process order.placed', 'book courier']

/** Polls the console until the trace has every span in `names` (work finishes in the background). */
async function traceOf(consoleUrl: string, traceId: string, names: string[]) {
  for (let i = 0; i < 200; i++) {
    const res = await fetch(`${consoleUrl}api/traces/${traceId}`)
    if (res.status === 200) {
      const body = (await res.json()) as { spans: { name: string; spanId: string; parentSpanId?: string }[] }
      if (names.every((n) => body.spans.some((s) => s.name === n))) return body
    }
    await Bun.sleep(25)
  }
  throw new Error(`trace ${traceId} never had ${names.join(', ')}`)
}

test('dist/motia start records the flow of a request as one trace, exports it over OTLP and keeps it across a restart', async () => {
  const args = ['start', '--dir', project.path, '--port', '0', '--host', '127.0.0.1']
  let motia = await startMotia(args, { cwd: project.path })
  let traceId: string
  try {
    const consoleUrl = motia.output().match(/Console on (http[^\s"]+)/)![1]!
    const res = await fetch(`${motia.url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'bin-1', items: 4 }),
    })
    expect(res.status).toBe(202)
    traceId = ((await res.json()) as { traceId: string }).traceId
    const trace = await traceOf(consoleUrl, traceId, SPANS)
    const byName = new Map(trace.spans.map((s) => [s.name, s]))
    expect(byName.get('process order.placed')!.parentSpanId).toBe(byName.get('enqueue order.placed')!.spanId)
    expect(byName.get('book courier')!.parentSpanId).toBe(byName.get('process order.placed')!.spanId)
    expect(byName.get('price order')!.parentSpanId).toBe(byName.get('POST /orders')!.spanId)
    // The same spans reached the OTLP receiver.
    for (let i = 0; i < 200; i++) {
      const names = received.flatMap((r) =>
        r.resourceSpans[0].scopeSpans[0].spans.filter((s: any) => s.traceId === traceId).map((s: any) => s.name),
      )
      if (SPANS.every((n) => names.includes(n))) break
      await Bun.sleep(25)
    }
    const exported = received
      .flatMap((r) => r.resourceSpans[0].scopeSpans[0].spans)
      .filter((s: any) => s.traceId === traceId)
    expect(exported.map((s: any) => s.name)).toEqual(expect.arrayContaining(SPANS))
  } finally {
    expect(await motia.stop()).toBe(0)
  }
  motia = await startMotia(args, { cwd: project.path })
  try {
    const consoleUrl = motia.output().match(/Console on (http[^\s"]+)/)![1]!
    const again = await traceOf(consoleUrl, traceId, SPANS)
    expect(again.spans.length).toBeGreaterThanOrEqual(SPANS.length)
  } finally {
    await motia.stop()
  }
}, 60_000)
