import { expect, test } from 'bun:test'
import { formatTraceparent, issuedTraceIdTail, newSpanId, newTraceId, parseTraceparent } from './trace-id'

test('trace ids are 32 hex characters, span ids 16, unique across batches', () => {
  const ids = Array.from({ length: 2000 }, newTraceId)
  for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/)
  expect(new Set(ids).size).toBe(ids.length)
  const spans = Array.from({ length: 2000 }, newSpanId)
  for (const id of spans) expect(id).toMatch(/^[0-9a-f]{16}$/)
  expect(new Set(spans).size).toBe(spans.length)
})

test('the last issued trace id comes with its last 8 hex digits as a number, across batches; others with -1', () => {
  for (let i = 0; i < 600; i++) {
    const id = newTraceId()
    expect(issuedTraceIdTail(id)).toBe(Number.parseInt(id.slice(24), 16))
  }
  const earlier = newTraceId()
  newTraceId()
  expect(issuedTraceIdTail(earlier)).toBe(-1)
  expect(issuedTraceIdTail('4bf92f3577b34da6a3ce929d0e0e4736')).toBe(-1)
})

test('traceparent parsing and formatting', () => {
  expect(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toEqual({
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    sampled: true,
  })
  expect(parseTraceparent('00-00000000000000000000000000000000-00f067aa0ba902b7-01')).toBeUndefined()
  expect(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01')).toBeUndefined()
  expect(parseTraceparent('garbage')).toBeUndefined()
  expect(parseTraceparent(null)).toBeUndefined()
  expect(parseTraceparent(formatTraceparent('4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7'))).toEqual({
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    sampled: true,
  })
})

test('the sampled flag travels in and out of traceparent', () => {
  const t = '4bf92f3577b34da6a3ce929d0e0e4736'
  expect(parseTraceparent(`00-${t}-00f067aa0ba902b7-00`)?.sampled).toBe(false)
  expect(parseTraceparent(`00-${t}-00f067aa0ba902b7-03`)?.sampled).toBe(true)
  expect(formatTraceparent(t, '00f067aa0ba902b7', false)).toBe(`00-${t}-00f067aa0ba902b7-00`)
  expect(parseTraceparent(formatTraceparent(t, '00f067aa0ba902b7', false))?.sampled).toBe(false)
})
