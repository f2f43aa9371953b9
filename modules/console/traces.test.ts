import { expect, test } from 'bun:test'
import { normalizeSpan, normalizeSummary, toMillis } from './traces'

test('times: ms, µs, ns, HrTime, bigint and ISO text all become epoch ms', () => {
  const ms = 1_795_000_000_123
  expect(
    [ms, ms * 1000, ms * 1e6, [1_795_000_000, 123e6], BigInt(ms) * 1_000_000n, new Date(ms).toISOString()].map(
      toMillis,
    ),
  ).toEqual([ms, ms, ms, ms, ms, ms])
})

test('an OpenTelemetry-like span becomes the console shape', () => {
  expect(
    normalizeSpan({
      name: 'queue StoreTodo',
      spanContext: () => ({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) }),
      parentSpanContext: { spanId: 'c'.repeat(16) },
      startTime: [1_795_000_000, 0],
      endTime: [1_795_000_000, 5e6],
      status: { code: 2, message: 'boom' },
      attributes: { 'motia.step': 'StoreTodo', 'motia.trigger.type': 'queue' },
      events: [{ name: 'enqueue', time: [1_795_000_000, 1e6], attributes: { topic: 't' } }],
    }),
  ).toEqual({
    traceId: 'a'.repeat(32),
    spanId: 'b'.repeat(16),
    parentSpanId: 'c'.repeat(16),
    name: 'queue StoreTodo',
    start: 1_795_000_000_000,
    end: 1_795_000_000_005,
    status: 'error',
    kind: 'queue',
    step: 'StoreTodo',
    attributes: { 'motia.step': 'StoreTodo', 'motia.trigger.type': 'queue' },
    events: [{ name: 'enqueue', time: 1_795_000_000_001, attributes: { topic: 't' } }],
  })
})

test('a trace summary with a duration', () => {
  expect(
    normalizeSummary({
      traceId: 't',
      name: 'POST /todos',
      step: 'CreateTodo',
      startTime: 10,
      endTime: 25,
      status: 'ok',
      spans: 3,
    }),
  ).toEqual({
    traceId: 't',
    name: 'POST /todos',
    step: 'CreateTodo',
    start: 10,
    durationMs: 15,
    status: 'ok',
    spans: 3,
  })
})
