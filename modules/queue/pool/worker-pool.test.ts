import { afterEach, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import type { EngineClient } from '../../../runtime/engine-client'
import { createLogHub, type LogRecord } from '../../../runtime/logger'
import { WorkerPool } from './worker-pool'

const FIXTURE = join(import.meta.dir, '..', '..', '..', 'test', 'fixtures', 'unstorable')
let pool: WorkerPool | undefined
afterEach(() => pool?.stop())

/** The engine side of ctx calls: `state` as given, the rest answering nothing. */
function engineWith(state: EngineClient['state']): EngineClient {
  return {
    logs: createLogHub('info'),
    state,
    enqueue: async () => {},
    stream: async () => null,
    hasStream: () => true,
    trigger: async () => null,
  }
}

test('a job whose input a worker cannot be sent fails alone, not retried; its worker and batch-mates go on', async () => {
  const logs: LogRecord[] = []
  const engine = engineWith(async () => ({ old_value: null, new_value: { n: 1 } }))
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
    pool.run(job({ kind: 'count', file: '/dev/null', n: 1n })),
    pool.run(job({ kind: 'count', file: '/dev/null' })),
  ])
  expect(bad).toEqual({
    status: 'error',
    error: {
      name: 'MotiaError',
      code: 'E_VALUE_NOT_STORABLE',
      message: 'step "BadValues": its input cannot be sent to a step worker (JSON.stringify cannot serialize BigInt.)',
    },
    retryable: false,
  })
  expect(good).toEqual({ status: 'ok' })
  expect(pool.restarts).toBe(0)
  expect(logs.filter((r) => r.level === 'error')).toEqual([])
})

test('a job for a pool never started starts its workers and runs', async () => {
  const engine = engineWith(async () => ({ old_value: null, new_value: { n: 1 } }))
  pool = new WorkerPool({ size: 1, dir: FIXTURE, logLevel: 'info', engine, onLog: () => {} })
  expect(pool.started).toBe(false)
  const outcome = await pool.run({
    file: join(FIXTURE, 'steps', 'bad-values.step.ts'),
    step: 'BadValues',
    triggerIndex: 0,
    topic: 'work',
    input: { kind: 'count', file: '/dev/null' },
    traceId: 't',
    attempt: 1,
    timeoutMs: 5000,
  })
  expect({ outcome, started: pool.started, size: pool.size }).toEqual({
    outcome: { status: 'ok' },
    started: true,
    size: 1,
  })
})

test('a job sent while its worker loads: its timeout starts when the worker is ready, not before', async () => {
  const sets: (readonly unknown[])[] = []
  const engine = engineWith(async (_op, args) => {
    sets.push(args)
    return { old_value: null, new_value: args[2] }
  })
  const dir = join(import.meta.dir, '..', '..', '..', 'test', 'fixtures', 'queue')
  const entry = join(import.meta.dir, '..', '..', '..', 'test', 'fixtures', 'slow-worker.ts')
  pool = new WorkerPool({ size: 1, dir, logLevel: 'info', engine, onLog: () => {}, entry })
  const starting = pool.start()
  const sent = performance.now()
  // The worker takes 300 ms to start; the job's own 250 ms are plenty for it (a cold import),
  // even on a CPU shared with busy neighbours, and still shorter than the worker's start.
  const outcome = await pool.run({
    file: join(dir, 'steps', 'audit.step.ts'),
    step: 'Audit',
    triggerIndex: 0,
    topic: 'order.recorded',
    input: { id: 'early' },
    traceId: 'startup-test',
    attempt: 1,
    timeoutMs: 250,
  })
  expect(performance.now() - sent).toBeGreaterThan(300)
  expect(outcome).toEqual({ status: 'ok' })
  expect(sets).toEqual([['audit', 'early', { traceId: 'startup-test' }]])
  expect(pool.restarts).toBe(0)
  await starting
})

describe('a step file imported for its first job', () => {
  const dir = join(import.meta.dir, '..', '..', '..', 'test', 'fixtures', 'slow-import')
  const engine = engineWith(async () => null)
  const job = (file: string, step: string, input: unknown, timeoutMs: number) => ({
    file: join(dir, 'steps', file),
    step,
    triggerIndex: 0,
    input,
    traceId: 't',
    attempt: 1,
    timeoutMs,
  })

  test('its import is not counted against the handler timeout; the handler still is', async () => {
    pool = new WorkerPool({ size: 1, dir, logLevel: 'info', engine, onLog: () => {} })
    await pool.start()
    // The file takes 400 ms to import; the handler's own 150 ms are plenty for its 10 ms.
    expect(await pool.run(job('slow-import.step.ts', 'SlowImport', { sleepMs: 10 }, 150))).toEqual({ status: 'ok' })
    expect(pool.restarts).toBe(0)
    const slow = await pool.run(job('slow-import.step.ts', 'SlowImport', { sleepMs: 2000 }, 150))
    expect(slow).toMatchObject({ status: 'error', error: { code: 'E_HANDLER_TIMEOUT' }, retryable: true })
    expect(pool.restarts).toBe(1)
  })

  test('an import that never ends fails the job with E_STEP_LOAD_TIMEOUT and replaces the worker', async () => {
    pool = new WorkerPool({ size: 1, dir, logLevel: 'info', engine, onLog: () => {}, loadTimeoutMs: 300 })
    await pool.start()
    const started = performance.now()
    const outcome = await pool.run(job('hangs-on-import.step.ts', 'HangsOnImport', {}, 100))
    expect(performance.now() - started).toBeGreaterThan(290)
    expect(outcome).toEqual({
      status: 'error',
      error: {
        name: 'MotiaError',
        code: 'E_STEP_LOAD_TIMEOUT',
        message: 'step "HangsOnImport": its file took longer than 300 ms to import and was stopped',
      },
      retryable: true,
    })
    expect(pool.restarts).toBe(1)
  })
})
