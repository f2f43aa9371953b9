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

test('a job sent while its worker loads: its timeout starts when the worker is ready, not before', async () => {
  const sets: (readonly unknown[])[] = []
  const engine: EngineClient = {
    logs: createLogHub('info'),
    state: async (_op, args) => {
      sets.push(args)
      return { old_value: null, new_value: args[2] }
    },
    enqueue: async () => {},
    stream: async () => null,
    hasStream: () => true,
  }
  const dir = join(import.meta.dir, '..', '..', '..', 'test', 'fixtures', 'queue')
  const entry = join(import.meta.dir, '..', '..', '..', 'test', 'fixtures', 'slow-worker.ts')
  pool = new WorkerPool({ size: 1, dir, logLevel: 'info', engine, onLog: () => {}, entry })
  const starting = pool.start()
  const sent = performance.now()
  // The worker takes 300 ms to start; the job's own 100 ms are plenty for it (a cold import).
  const outcome = await pool.run({
    file: join(dir, 'steps', 'audit.step.ts'),
    step: 'Audit',
    triggerIndex: 0,
    topic: 'order.recorded',
    input: { id: 'early' },
    traceId: 'startup-test',
    attempt: 1,
    timeoutMs: 100,
  })
  expect(performance.now() - sent).toBeGreaterThan(300)
  expect(outcome).toEqual({ status: 'ok' })
  expect(sets).toEqual([['audit', 'early', { traceId: 'startup-test' }]])
  expect(pool.restarts).toBe(0)
  await starting
})
