import { afterEach, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { dropRabbitPrefix, freshRabbitPrefix, rabbitAnswers, TEST_RABBITMQ_URL } from '../test/support/rabbitmq'
import { dropPrefix, freshPrefix, redisAnswers, TEST_REDIS_URL } from '../test/support/redis'
import { fixtureRuntime, tempProject } from '../test/support/runtime'

const dirs: { dispose(): void }[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) d.dispose()
})

function project(files: Record<string, string>): string {
  const dir = tempProject(files, 'motia-config-')
  dirs.push(dir)
  return dir.path
}

const HELLO = `export const config = { type: 'api', name: 'Hello', path: '/hello', method: 'GET', emits: [] }
export const handler = async () => ({ status: 200, body: { hello: true } })`

describe('motia.config.ts', () => {
  test('Workbench plugins by import and require, a local plugin with registerApi and onShutdown', async () => {
    const dir = project({
      'steps/hello.step.ts': HELLO,
      'motia.config.ts': `
        import { config } from '@motiadev/core'
        import endpointPlugin from '@motiadev/plugin-endpoint/plugin'
        const statesPlugin = require('@motiadev/plugin-states/plugin')
        export let shutdowns = 0
        function local(motia) {
          motia.printer.printPluginLog('registering')
          motia.registerApi({ method: 'post', path: '/__motia/local/:id' }, async (req, ctx) => {
            await ctx.state.set('local', req.pathParams.id, req.body)
            return { status: 201, body: { id: req.pathParams.id, stored: await ctx.state.get('local', req.pathParams.id) } }
          })
          return { workbench: [{ label: 'Local Panel', packageName: '~/plugins/local', position: 'bottom' }], onShutdown: () => { shutdowns++ } }
        }
        export default config({
          plugins: [statesPlugin, endpointPlugin, local],
        })`,
    })
    const rt = await fixtureRuntime(dir)
    try {
      const res = await rt.request('/__motia/local/7', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ a: 1 }),
      })
      expect(res.status).toBe(201)
      expect(await res.json()).toEqual({ id: '7', stored: { a: 1 } })
      expect(rt.services.projectConfig.replacedPlugins).toEqual([
        '@motiadev/plugin-states',
        '@motiadev/plugin-endpoint',
      ])
      expect(rt.services.projectConfig.workbench).toEqual([
        { plugin: 'local', label: 'Local Panel', packageName: '~/plugins/local', position: 'bottom' },
      ])
      const msgs = rt.records.map((r) => `${r.level} ${r.msg}`)
      expect(msgs).toContain('info plugin local: registering')
      expect(msgs).toContainEqual(expect.stringContaining('info motia.config.ts: Workbench plugins are not loaded'))
      expect(msgs.filter((m) => m.startsWith('error'))).toEqual([])
      // The plugin's route is a step of motia.config.ts: the console lists it with the others.
      expect(rt.project().steps.map((s) => [s.name, s.relFile])).toContainEqual([
        'local POST /__motia/local/:id',
        'motia.config.ts',
      ])
    } finally {
      await rt.stop()
    }
    const mod = (await import(join(dir, 'motia.config.ts'))) as { shutdowns: number }
    expect(mod.shutdowns).toBe(1)
  })

  test('unknown keys and exports are warnings naming them; the rest still works', async () => {
    const dir = project({
      'steps/hello.step.ts': HELLO,
      'motia.config.ts': `
        import { defineConfig } from 'motia'
        export const authenticateStreams = async () => ({ context: {} })
        export const otel = { serviceName: 'x' }
        export default defineConfig({ app: (app) => app.use(() => {}), redis: { host: 'h', port: 1 }, workbench: false })`,
    })
    await using rt = await fixtureRuntime(dir)
    expect((await rt.request('/hello')).status).toBe(200)
    const warnings = rt.records.filter((r) => r.level === 'warn').map((r) => r.msg)
    expect(warnings).toEqual(
      expect.arrayContaining([
        'motia.config.ts: export "authenticateStreams" is not a motia.config export; it is ignored',
        expect.stringContaining('motia.config.ts: export "otel" configures OpenTelemetry of Motia 1.x'),
        expect.stringContaining('motia.config.ts: "app" is an Express hook of Motia 0.x'),
        expect.stringContaining('motia.config.ts: "redis" configures the Redis of Motia 0.x'),
        'motia.config.ts: "workbench" is not a motia.config key; it is ignored',
      ]),
    )
  })

  test('a plugin that throws, or one using what the plugin context lacks, stops start-up naming the file', async () => {
    const dir = project({
      'steps/hello.step.ts': HELLO,
      'motia.config.ts': `export default { plugins: [function reader(motia) { motia.state.get('a', 'b') }] }`,
    })
    await expect(fixtureRuntime(dir)).rejects.toThrow(
      'motia.config.ts: plugin reader failed: plugin reader: motia.state is not available to plugins in this runtime',
    )
  })

  test('0.x adapters map onto the redis adapters where config.yaml names none; the rest are warnings', async () => {
    if (!(await redisAnswers())) throw new Error(`no Redis answers at ${TEST_REDIS_URL}: CI starts one`)
    const prefix = freshPrefix('motia-config')
    const dir = project({
      'steps/hello.step.ts': HELLO,
      'config.yaml': 'queue:\n  adapter: sqlite\n',
      'motia.config.ts': `
        import { config } from '@motiadev/core'
        import { RedisStateAdapter } from '@motiadev/adapter-redis-state'
        import { RedisStreamAdapterManager } from '@motiadev/adapter-redis-streams'
        const { BullMQEventAdapter } = require('@motiadev/adapter-bullmq-events')
        const { RabbitMQEventAdapter } = require('@motiadev/adapter-rabbitmq-events')
        export default config({
          adapters: {
            state: new RedisStateAdapter({ url: '${TEST_REDIS_URL}' }, { keyPrefix: '${prefix}:' }),
            streams: new RedisStreamAdapterManager({ url: '${TEST_REDIS_URL}' }),
            events: new BullMQEventAdapter({ connection: { url: '${TEST_REDIS_URL}' } }),
            queue: new RabbitMQEventAdapter({ url: 'amqp://localhost' }),
          },
        })`,
    })
    try {
      await using rt = await fixtureRuntime(dir)
      expect([rt.config.state.adapter, rt.config.streams.adapter, rt.config.queue.adapter]).toEqual([
        'redis',
        'redis',
        'sqlite',
      ])
      expect(rt.config.redis).toEqual({ url: TEST_REDIS_URL, prefix })
      const msgs = rt.records.map((r) => `${r.level} ${r.msg}`)
      expect(msgs).toContain(
        `info motia.config.ts: adapters.state = new RedisStateAdapter(...) → state.adapter: redis (${TEST_REDIS_URL}, prefix "${prefix}")`,
      )
      expect(msgs).toContainEqual(
        expect.stringContaining(
          'info motia.config.ts: adapters.streams = new RedisStreamAdapterManager(...) → streams.adapter: redis',
        ),
      )
      expect(msgs).toContain(
        'warn motia.config.ts: adapters.events = new BullMQEventAdapter(...) is ignored: config.yaml sets queue.adapter: sqlite',
      )
      expect(msgs).toContain(
        'warn motia.config.ts: adapters.events = new RabbitMQEventAdapter(...) is ignored: config.yaml sets queue.adapter: sqlite',
      )
      // State really lives in Redis now, under the app's own key prefix.
      await rt.engine.state('set', ['g', 'k', { v: 1 }], { step: 'test', traceId: 't' })
      expect(await rt.engine.state('get', ['g', 'k'], { step: 'test', traceId: 't' })).toEqual({ v: 1 })
    } finally {
      await dropPrefix(prefix)
    }
  })

  test('0.x RabbitMQEventAdapter selects queue.adapter: rabbitmq with its URL and exchange name; messages flow through the broker', async () => {
    if (!(await rabbitAnswers())) throw new Error(`no RabbitMQ answers at ${TEST_RABBITMQ_URL}: CI starts one`)
    const prefix = freshRabbitPrefix('motia-config')
    const dir = project({
      'steps/hello.step.ts': HELLO,
      'steps/ping.step.ts': `
        import { queue } from 'motia'
        export const config = { name: 'Ping', triggers: [queue('ping')] }
        export const handler = async (data, { state }) => { await state.set('pings', 'last', data) }`,
      'motia.config.ts': `
        import { config } from '@motiadev/core'
        import { RabbitMQEventAdapter } from '@motiadev/adapter-rabbitmq-events'
        import { BullMQEventAdapter } from '@motiadev/adapter-bullmq-events'
        export default config({
          adapters: {
            events: new RabbitMQEventAdapter({ url: '${TEST_RABBITMQ_URL}', exchangeName: '${prefix}', exchangeType: 'topic', durable: true }),
            queue: new BullMQEventAdapter({ connection: { url: 'redis://127.0.0.1:1' } }),
          },
        })`,
    })
    try {
      await using rt = await fixtureRuntime(dir)
      expect([rt.config.queue.adapter, rt.config.rabbitmq.url, rt.config.rabbitmq.prefix]).toEqual([
        'rabbitmq',
        TEST_RABBITMQ_URL,
        prefix,
      ])
      const msgs = rt.records.map((r) => `${r.level} ${r.msg}`)
      expect(msgs).toContain(
        `info motia.config.ts: adapters.events = new RabbitMQEventAdapter(...) → queue.adapter: rabbitmq (${TEST_RABBITMQ_URL.replace(':guest@', ':***@')}, prefix "${prefix}")`,
      )
      expect(msgs).toContain(
        'warn motia.config.ts: adapters.events = new BullMQEventAdapter(...) is ignored: new RabbitMQEventAdapter(...) before it sets queue.adapter: rabbitmq',
      )
      const origin = { step: 'test', traceId: 't' }
      await rt.engine.enqueue({ topic: 'ping', data: { n: 1 } }, origin)
      // Handled off the broker: poll the condition itself.
      let last: unknown = null
      for (let i = 0; i < 500 && last === null; i++) {
        last = await rt.engine.state('get', ['pings', 'last'], origin)
        if (last === null) await Bun.sleep(10)
      }
      expect(last).toEqual({ n: 1 })
    } finally {
      await dropRabbitPrefix(prefix)
    }
  })
})
