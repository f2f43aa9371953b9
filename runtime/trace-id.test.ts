import { expect, test } from 'bun:test'
import { newTraceId, traceIdFromTraceparent } from './trace-id'

test('trace ids are 32 hex characters and unique across batches', () => {
  const ids = Array.from({ length: 2000 }, newTraceId)
  for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/)
  expect(new Set(ids).size).toBe(ids.length)
})

test('traceparent parsing', () => {
  expect(traceIdFromTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBe(
    '4bf92f3577b34da6a3ce929d0e0e4736',
  )
  expect(traceIdFromTraceparent('00-00000000000000000000000000000000-00f067aa0ba902b7-01')).toBeUndefined()
  expect(traceIdFromTraceparent('garbage')).toBeUndefined()
  expect(traceIdFromTraceparent(null)).toBeUndefined()
})
