import { expect, test } from 'bun:test'
import { NOT_SAMPLED_SPAN_ID } from '../../runtime/trace-id'
import { OK_STATUS, type SpanRecord } from '../../runtime/tracing'
import { type TailPolicy, TailSpan } from './tail-span'

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'

function tail(policy: TailPolicy, parent?: string) {
  const kept: SpanRecord[] = []
  let evaluated = 0
  const span = new TailSpan(
    { ended: () => true, recorded: (s) => kept.push(s) > 0 },
    policy,
    TRACE,
    parent,
    'GET /x',
    'server',
    () => {
      evaluated++
      return { 'motia.step': 'X', 'http.route': '/x' }
    },
  )
  return { span, kept, evaluated: () => evaluated }
}

test('a not-sampled span that ends well records nothing and never computes its attributes', () => {
  const t = tail({ keepErrors: true, keepSlowerThan: 60_000 })
  expect(t.span.spanId).toBe(NOT_SAMPLED_SPAN_ID)
  expect(t.span.spanContext().traceFlags).toBe(0)
  t.span.setAttribute('http.response.status_code', 200).setStatus(OK_STATUS).end()
  expect([t.kept, t.evaluated(), t.span.kept]).toEqual([[], 0, false])
})

test('a failed one is kept as its own span with every attribute, the exception and its parent', () => {
  const t = tail({ keepErrors: true, keepSlowerThan: undefined }, '00f067aa0ba902b7')
  t.span.setAttribute('http.response.status_code', 500)
  t.span.setAttribute('extra', 'yes')
  t.span.fail(new Error('boom'))
  t.span.end()
  t.span.end()
  expect(t.kept).toHaveLength(1)
  // Its trace is there to open: an exemplar may name it.
  expect(t.span.kept).toBe(true)
  expect(t.kept[0]).toMatchObject({
    traceId: TRACE,
    parentSpanId: '00f067aa0ba902b7',
    name: 'GET /x',
    kind: 'server',
    status: 'error',
    statusMessage: 'boom',
    attributes: {
      'motia.step': 'X',
      'http.route': '/x',
      'http.response.status_code': 500,
      extra: 'yes',
      'motia.sampling.kept': 'error',
    },
  })
  expect(t.kept[0]!.spanId).not.toBe(NOT_SAMPLED_SPAN_ID)
  expect(t.kept[0]!.events.map((e) => e.name)).toEqual(['exception'])
  expect(t.kept[0]!.endTime).toBeGreaterThanOrEqual(t.kept[0]!.startTime)
})

test('keepErrors: false drops failures; keepSlowerThan keeps what lasted that long', () => {
  const off = tail({ keepErrors: false, keepSlowerThan: undefined })
  off.span.fail(new Error('boom'))
  off.span.end()
  expect(off.kept).toEqual([])

  const quick = tail({ keepErrors: false, keepSlowerThan: 500 })
  quick.span.end(Date.now() + 100)
  expect(quick.kept).toEqual([])
  const slow = tail({ keepErrors: false, keepSlowerThan: 500 })
  slow.span.setStatus(OK_STATUS)
  const end = Date.now() + 600
  slow.span.end(end)
  expect(slow.kept).toMatchObject([{ status: 'ok', endTime: end, attributes: { 'motia.sampling.kept': 'slow' } }])
})
