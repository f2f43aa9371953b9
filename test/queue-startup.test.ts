import { expect, test } from 'bun:test'
import { join } from 'node:path'
import type { QueueModuleApi } from '../modules/queue/queue-module'
import { FIXTURES, fixtureRuntime } from './support/runtime'

test("start-up does not wait for the workers, and a job's timeout does not count their loading", async () => {
  await using rt = await fixtureRuntime(join(FIXTURES, 'queue'))
  const { pool } = rt.services.shared.get('queue') as QueueModuleApi
  const step = rt.project().steps.find((s) => s.name === 'Audit')!
  // Right after start-up the workers are still loading (~150-300 ms from source); 60 ms is far
  // less, and enough for the job itself on a cold checkout (its step file is imported afresh).
  const loading = performance.now()
  const outcome = await pool.run({
    file: step.file,
    step: step.name,
    triggerIndex: 0,
    topic: 'order.recorded',
    input: { id: 'early' },
    traceId: 'startup-test',
    attempt: 1,
    timeoutMs: 60,
  })
  expect(performance.now() - loading).toBeGreaterThan(60)
  expect(outcome).toEqual({ status: 'ok' })
  expect(await rt.engine.state('get', ['audit', 'early'], { step: 'test', traceId: 't' })).toEqual({
    traceId: 'startup-test',
  })
  expect(pool.restarts).toBe(0)
})
