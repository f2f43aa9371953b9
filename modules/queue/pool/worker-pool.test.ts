import { afterEach, expect, test } from 'bun:test'
import { join } from 'node:path'
import type { EngineClient } from '../../../runtime/engine-client'
import { createLogHub, type LogRecord } from '../../../runtime/logger'
import { WorkerPool } from './worker-pool'

const FIXTURE = join(import.meta.dir, '..', '..', '..', 'test', 'fixtures', 'unstorable')
let pool: WorkerPool | undefined
afterEach(() => pool?.stop())

test('a job whose input a worker cannot be sent fails alone, not retried; its worker and batch-mates go on', async () => {
  const logs: LogRecord[] = []
  const engine: EngineClient = {
    logs: createLogHub('info'),
    state: async () => ({ old_value: null, new_value: { n: 1 } }),
    enqueue: async () => {},
    stream: async () => null,
    hasStream: () => true,
  }
  pool = new WorkerPool({ size: 1, dir: FIXTURE, logLevel: 'info', engine, onLog: (r) => logs.push(r) })
  await pool.start()
  const job = (input: unknown) => ({
    file: join(FIXTURE, 'steps', 'bad-values.step.ts'),
    step: 'BadValues',
    triggerIndex: 0,
    topic: 'work',
    input,
    traceId: 't',
    attempt: 1,
    timeoutMs: 5000,
  })
  const [bad, good] = await Promise.all([
    pool.run(job({ kind: 'count', file: '/dev/null', f: () => 1 })),
    pool.run(job({ kind: 'count', file: '/dev/null' })),
  ])
  expect(bad).toEqual({
    status: 'error',
    error: {
      name: 'MotiaError',
      code: 'E_VALUE_NOT_STORABLE',
      message: 'step "BadValues": its input cannot be sent to a step worker (The object can not be cloned.)',
    },
    retryable: false,
  })
  expect(good).toEqual({ status: 'ok' })
  expect(pool.restarts).toBe(0)
  expect(logs.filter((r) => r.level === 'error')).toEqual([])
})
