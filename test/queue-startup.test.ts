import { expect, test } from 'bun:test'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { QueueModuleApi } from '../modules/queue/queue-module'
import { FIXTURES, fixtureRuntime, tempProjects } from './support/runtime'

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

const project = tempProjects('motia-pool-start-')
const HTTP_STEP = `export const config = { name: 'Hello', triggers: [{ type: 'http', method: 'GET', path: '/hello' }] }
export const handler = async () => ({ status: 200, body: { ok: true } })
`
const QUEUE_STEP = `export const config = { name: 'Work', triggers: [{ type: 'queue', topic: 'work' }] }
export const handler = async (input: { id: string }, { state }: any) => { await state.set('work', input.id, input) }
`

test('a project of HTTP steps alone starts no step worker; adding a queue step in dev starts them', async () => {
  const dir = project({ 'steps/hello.step.ts': HTTP_STEP })
  await using rt = await fixtureRuntime(dir, { mode: 'dev' })
  const { pool } = rt.services.shared.get('queue') as QueueModuleApi
  expect((await rt.request('/hello')).status).toBe(200)
  expect({ started: pool.started, size: pool.size }).toEqual({ started: false, size: 0 })

  writeFileSync(join(dir, 'steps', 'work.step.ts'), QUEUE_STEP)
  await rt.reload()
  expect(pool.started).toBe(true)
  await rt.engine.enqueue({ topic: 'work', data: { id: 'a' } }, { step: 'test', traceId: 't' })
  await (rt.services.shared.get('queue') as QueueModuleApi).idle()
  expect(await rt.engine.state('get', ['work', 'a'], { step: 'test', traceId: 't' })).toEqual({ id: 'a' })
})
