import { expect, test } from 'bun:test'
import { LogBuffer } from './log-buffer'

test('keeps the newest records, filters by level, step, trace and text, oldest first', () => {
  const buf = new LogBuffer(4)
  buf.push({ time: 1, level: 'info', msg: 'dropped by the ring' })
  buf.push({ time: 2, level: 'debug', msg: 'cache miss', step: 'A' })
  buf.push({ time: 3, level: 'warn', msg: 'slow call', step: 'A', traceId: 't1' })
  buf.push({ time: 4, level: 'error', msg: 'failed', step: 'B', traceId: 't1' })
  buf.push({ time: 5, level: 'info', msg: 'Slow again', step: 'B' })
  const msgs = (f: Parameters<LogBuffer['query']>[0]) => buf.query(f).map((r) => r.msg)
  expect(msgs({})).toEqual(['cache miss', 'slow call', 'failed', 'Slow again'])
  expect(msgs({ level: 'warn' })).toEqual(['slow call', 'failed'])
  expect(msgs({ step: 'B' })).toEqual(['failed', 'Slow again'])
  expect(msgs({ traceId: 't1' })).toEqual(['slow call', 'failed'])
  expect(msgs({ text: 'slow' })).toEqual(['slow call', 'Slow again'])
  expect(msgs({ limit: 2 })).toEqual(['failed', 'Slow again'])
  expect(buf.query({}).map((r) => r.seq)).toEqual([2, 3, 4, 5])
})
