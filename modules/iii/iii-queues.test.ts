import { afterAll, expect, test } from 'bun:test'
import { join } from 'node:path'
import { fixtureRuntime, tempDir, tempProjects } from '../../test/support/runtime'
import { QUEUE_KEY, type QueueModuleApi } from '../queue/queue-module'
import type { IiiModuleApi } from './iii-module'
import { TestWorker } from './test-worker'

// TriggerAction.Enqueue goes through motia's durable queue: a restart loses nothing accepted.
const project = tempProjects('motia-iii-queues-')
const db = tempDir('motia-iii-queues-db-')
afterAll(() => db.dispose())

const dir = project({
  'config.yaml': [
    'http: { port: 0, host: 127.0.0.1 }',
    'streams: { port: 0, onApiPort: false }',
    'console: { enabled: false }',
    'queue: { defaults: { backoffType: fixed, backoffDelayMs: 300 } }',
    'iii: { port: 0, queues: { jobs: { max_retries: 50, concurrency: 2 } } }',
  ].join('\n'),
})
const start = () => fixtureRuntime(dir, { listen: true, mode: 'start', env: { MOTIA_SQLITE: join(db.path, 'm.db') } })
const connect = async (rt: Awaited<ReturnType<typeof start>>) => {
  const w = await TestWorker.connect((rt.services.shared.get('iii') as IiiModuleApi).url()!)
  await w.next('workerregistered')
  return w
}

test('an enqueued invocation survives its worker dropping and the engine restarting', async () => {
  const first = await start()
  const w1 = await connect(first)
  let started!: () => void
  const running = new Promise<void>((r) => {
    started = r
  })
  w1.register('test::job', () => {
    started()
    return new Promise(() => {}) // never answers: the worker drops mid-invocation
  })
  w1.send({ type: 'ping' })
  await w1.next('pong')
  w1.send({
    type: 'invokefunction',
    invocation_id: 'enq-1',
    function_id: 'test::job',
    data: { n: 1 },
    action: { type: 'enqueue', queue: 'jobs' },
  })
  const receipt = await w1.next('invocationresult', (m) => m.invocation_id === 'enq-1')
  expect(receipt.error).toBeUndefined()
  expect(typeof (receipt.result as { messageReceiptId: string }).messageReceiptId).toBe('string')
  await running
  // The message is in motia's queue store, leased to the running invocation.
  const stats = await (first.services.shared.get(QUEUE_KEY) as QueueModuleApi).adapter.stats()
  expect(stats.find((s) => s.subscription === 'iii-queue:jobs')?.inFlight).toBe(1)
  w1.close()
  await Bun.sleep(50)
  await first.stop()

  const second = await start()
  try {
    const w2 = await connect(second)
    const got: unknown[] = []
    w2.register('test::job', (data) => {
      got.push(data)
      return null
    })
    for (let i = 0; i < 300 && got.length === 0; i++) await Bun.sleep(20)
    expect(got).toEqual([{ n: 1 }])
    w2.close()
  } finally {
    await second.stop()
  }
}, 30_000)
