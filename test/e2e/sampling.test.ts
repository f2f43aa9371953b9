import { beforeAll, expect, test } from 'bun:test'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startMotia } from '../support/binary'
import { tracedFixture } from '../support/traced'

// Trace sampling through the compiled binary: the caller's traceparent flags decide a whole
// flow (HTTP → queue, with the user's own span), the console says why a trace was not kept,
// OTLP gets the kept traces only, and log lines of a dropped trace still carry its id.
const project = tracedFixture('  sampling:\n    ratio: 0\nlogging:\n  format: json\n')
const { received } = project

beforeAll(() => {
  // The traceparent a handler would send on (built from its active span context, as a W3C
  // propagator does), and an enqueue from inside a span of its own.
  writeFileSync(
    join(project.path, 'steps', 'probe.step.ts'),
    `import { trace } from '@opentelemetry/api'
export const config = { name: 'Probe', triggers: [{ type: 'http', method: 'GET', path: '/probe' }], enqueues: ['order.placed'] }
export const handler = async (_req, ctx) => {
  const c = trace.getActiveSpan().spanContext()
  const traceparent = '00-' + c.traceId + '-' + c.spanId + '-0' + (c.traceFlags & 1)
  await trace.getTracer('probe').startActiveSpan('probe span', async (span) => {
    await ctx.enqueue({ topic: 'order.placed', data: { id: 'probe' } })
    span.end()
  })
  return { status: 200, body: { traceparent } }
}
`,
  )
})

const FLOW = ['POST /orders', 'price order', 'enqueue order.placed', 'process order.placed', 'book courier']
const exported = (traceId: string): string[] =>
  received
    .flatMap((r) => r.resourceSpans.flatMap((rs: any) => rs.scopeSpans.flatMap((ss: any) => ss.spans)))
    .filter((s: any) => s.traceId === traceId)
    .map((s: any) => s.name)

test('dist/motia: traceparent flags keep or drop a whole flow; the console says why a trace was not kept', async () => {
  const motia = await startMotia(['start', '--dir', project.path, '--port', '0', '--host', '127.0.0.1'], {
    cwd: project.path,
  })
  try {
    const consoleUrl = motia.output().match(/Console on (http[^\s"]+)/)![1]!
    const order = async (id: string, headers: Record<string, string>) => {
      const res = await fetch(`${motia.url}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ id, items: 1 }),
      })
      expect(res.status).toBe(202)
      return ((await res.json()) as { traceId: string }).traceId
    }
    const dropped = await order('s-0', { traceparent: `00-${'a'.repeat(31)}1-00f067aa0ba902b7-00` })
    const fresh = await order('s-1', {})
    const kept = await order('s-2', { traceparent: `00-${'b'.repeat(31)}2-00f067aa0ba902b7-01` })

    // Kept (flags 01, though ratio is 0): the whole flow, in the console and at the collector.
    for (let i = 0; i < 400 && !FLOW.every((n) => exported(kept).includes(n)); i++) await Bun.sleep(25)
    expect(exported(kept)).toEqual(expect.arrayContaining(FLOW))
    const res = await fetch(`${consoleUrl}api/traces/${kept}`)
    expect(res.status).toBe(200)
    const spans = ((await res.json()) as { spans: { name: string }[] }).spans.map((s) => s.name)
    expect(spans).toEqual(expect.arrayContaining(FLOW))

    // Not kept: nothing exported (the kept trace, sent after, has arrived), a clear answer.
    expect(exported(dropped)).toEqual([])
    expect(exported(fresh)).toEqual([])
    const why = async (traceId: string) => {
      const r = await fetch(`${consoleUrl}api/traces/${traceId}`)
      return { status: r.status, body: await r.json() }
    }
    expect(await why(dropped)).toEqual({
      status: 404,
      body: {
        code: 'E_CONSOLE_TRACE_NOT_KEPT',
        error: `trace ${dropped} was not kept: sampled out by its parent (traceparent flags 00, or the span that caused it)`,
      },
    })
    expect(await why(fresh)).toEqual({
      status: 404,
      body: { code: 'E_CONSOLE_TRACE_NOT_KEPT', error: `trace ${fresh} was not kept: sampled out (ratio 0)` },
    })
    // Outgoing: a traceparent made in a handler carries the decision; a valid span id either way.
    const probe = async (headers: Record<string, string>) => {
      const r = await fetch(`${motia.url}/probe`, { headers })
      return { traceId: r.headers.get('x-trace-id')!, ...((await r.json()) as { traceparent: string }) }
    }
    const out = await probe({})
    expect(out.traceparent).toMatch(new RegExp(`^00-${out.traceId}-(?!0{16})[0-9a-f]{16}-00$`))
    const sampledParent = `00-${'c'.repeat(31)}3-00f067aa0ba902b7-01`
    const inn = await probe({ traceparent: sampledParent })
    expect(inn.traceparent).toMatch(new RegExp(`^00-${'c'.repeat(31)}3-(?!0{16})[0-9a-f]{16}-01$`))
    for (let i = 0; i < 400 && !exported(inn.traceId).includes('process order.placed'); i++) await Bun.sleep(25)
    expect(exported(inn.traceId)).toEqual(
      expect.arrayContaining(['GET /probe', 'probe span', 'enqueue order.placed', 'process order.placed']),
    )
    expect(exported(out.traceId)).toEqual([])
    expect((await why(out.traceId)).body.code).toBe('E_CONSOLE_TRACE_NOT_KEPT')

    // Its log lines still say which trace they belong to (and no span id: there is none).
    const line = motia
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l))
      .find((l) => l.msg === 'order received' && l.id === 's-0')
    expect(line).toMatchObject({ traceId: dropped, step: 'PlaceOrder' })
    expect(line.spanId).toBeUndefined()
  } finally {
    expect(await motia.stop()).toBe(0)
  }
}, 60_000)
