import { expect, test } from 'bun:test'
import { join } from 'node:path'
import type { QueueModuleApi } from '../modules/queue/queue-module'
import { FIXTURES, fixtureRuntime } from './support/runtime'

test('a job sent right after start-up runs on the workers as they come up', async () => {
  await using rt = await fixtureRuntime(join(FIXTURES, 'queue'))
  const { pool } = rt.services.shared.get('queue') as QueueModuleApi
  const step = rt.project().steps.find((s) => s.name === 'Audit')!
  // Right after start-up the workers may still be loading; 250 ms is enough for the job itself
  // on a cold checkout (its step file is imported afresh), even with the CPU shared with busy
  // neighbours (60 ms was not, at a load average of 10 on 2 cores). worker-pool.test.ts shows with a
  // worker that surely loads longer that the timeout does not count the loading.
  const outcome = await pool.run({
    file: step.file,
    step: step.name,
    triggerIndex: 0,
    topic: 'order.recorded',
    input: { id: 'early' },
    traceId: 'startup-test',
    attempt: 1,
    timeoutMs: 250,
  })
  expect(outcome).toEqual({ status: 'ok' })
  expect(await rt.engine.state('get', ['audit', 'early'], { step: 'test', traceId: 't' })).toEqual({
    traceId: 'startup-test',
  })
  expect(pool.restarts).toBe(0)
})
