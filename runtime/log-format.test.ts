import { expect, test } from 'bun:test'
import { createStreamSink, formatJson, formatPretty } from './log-format'
import { createLogHub, StructuredLogger } from './logger'

const record = {
  time: Date.UTC(2026, 0, 2, 3, 4, 5, 6),
  level: 'warn' as const,
  msg: 'low stock',
  step: 'Stock',
  traceId: 'abcdef0123456789abcdef0123456789',
  fields: { sku: 'x1' },
}

test('JSON lines carry level, message, step, trace id and fields', () => {
  expect(JSON.parse(formatJson(record))).toEqual({
    time: '2026-01-02T03:04:05.006Z',
    level: 'warn',
    msg: 'low stock',
    step: 'Stock',
    traceId: 'abcdef0123456789abcdef0123456789',
    sku: 'x1',
  })
})

test('pretty lines are readable in a terminal', () => {
  expect(formatPretty(record, false)).toBe('03:04:05.006 WARN  [Stock] low stock {"sku":"x1"} (abcdef01)')
})

test('loggers bind step and trace, honour the level and keep errors readable', () => {
  const lines: string[] = []
  const hub = createLogHub('info', [createStreamSink('json', { write: (s: string) => lines.push(s) })])
  const log = new StructuredLogger(hub, { step: 'S', traceId: 't1' })
  log.debug('hidden')
  log.error('failed', { error: new Error('boom') })
  log.child({ orderId: 7 }).info('child')
  log.log({ level: 'warn', msg: 'legacy', extra: true })
  const parsed = lines.map((l) => JSON.parse(l))
  expect(parsed.map((p) => [p.level, p.msg, p.step, p.traceId])).toEqual([
    ['error', 'failed', 'S', 't1'],
    ['info', 'child', 'S', 't1'],
    ['warn', 'legacy', 'S', 't1'],
  ])
  expect(parsed[0].error).toMatchObject({ name: 'Error', message: 'boom' })
  expect(parsed[1].orderId).toBe(7)
  expect(parsed[2].extra).toBe(true)
})
