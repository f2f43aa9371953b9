import { afterAll, expect, test } from 'bun:test'
import { dropPrefix, freshPrefix, redisForTests, TEST_REDIS_URL } from '../../test/support/redis'
import { fixtureRuntime, tempProjects } from '../../test/support/runtime'
import type { IiiModuleApi } from './iii-module'
import { TestWorker } from './test-worker'

// Workers' cron triggers take the same tick lock as steps' cron: on one Redis, each tick runs once.
const up = await redisForTests('iii cron lock')
const prefix = freshPrefix('iii-cron')
const project = tempProjects('motia-iii-cron-')
afterAll(async () => {
  if (up) await dropPrefix(prefix)
})

if (up) {
  test('two instances on one Redis, a worker on each with the same cron function: each tick fires once', async () => {
    const dir = project({
      'config.yaml': [
        'http: { port: 0, host: 127.0.0.1 }',
        'streams: { port: 0, onApiPort: false }',
        'console: { enabled: false }',
        'state: { adapter: redis }',
        `redis: { url: "${TEST_REDIS_URL}", prefix: "${prefix}" }`,
        'iii: { port: 0 }',
      ].join('\n'),
    })
    const instances = [
      await fixtureRuntime(dir, { listen: true, mode: 'start' }),
      await fixtureRuntime(dir, { listen: true, mode: 'start' }),
    ]
    const ticks: string[] = []
    const workers: TestWorker[] = []
    try {
      for (const rt of instances) {
        const w = await TestWorker.connect((rt.services.shared.get('iii') as IiiModuleApi).url()!)
        workers.push(w)
        await w.next('workerregistered')
        w.register('job::tick', (e: { scheduled_time: string }) => {
          ticks.push(e.scheduled_time)
          return null
        })
        w.send({
          type: 'registertrigger',
          id: crypto.randomUUID(),
          trigger_type: 'cron',
          function_id: 'job::tick',
          config: { expression: '* * * * * *' },
        })
      }
      await Bun.sleep(3500)
      expect(ticks.length).toBeGreaterThanOrEqual(2)
      // Every tick once: no scheduled time fired by both instances.
      expect(new Set(ticks).size).toBe(ticks.length)
    } finally {
      for (const w of workers) w.close()
      for (const rt of instances) await rt.stop()
    }
  }, 30_000)
}
