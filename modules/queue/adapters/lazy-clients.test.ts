import { expect, test } from 'bun:test'
import { join } from 'node:path'
import { tempProjects } from '../../../test/support/runtime'

const project = tempProjects('motia-lazy-')
const ROOT = join(import.meta.dir, '..', '..', '..')

/**
 * A fresh process (this test runner may have loaded the clients for other tests) starts a
 * project on the default adapters, runs a queue message through it, and lists the broker
 * clients in its module registry; then imports the AMQP client's entry (what the RabbitMQ adapter
 * loads when it connects), to show the probe sees one.
 */
const probe = (dir: string) => `
import { createRuntime } from ${JSON.stringify(join(ROOT, 'runtime/runtime'))}
import { defaultModules } from ${JSON.stringify(join(ROOT, 'cmd/default-modules'))}
import { registerBuiltins } from ${JSON.stringify(join(ROOT, 'cmd/builtins'))}
const clients = () => Object.keys(require.cache).filter((k) => /node_modules\\/(rabbitmq-client|bullmq|ioredis)\\//.test(k)).map((k) => k.split('node_modules/')[1].split('/')[0])
registerBuiltins()
let handled
const done = new Promise((r) => (handled = r))
const rt = await createRuntime({ dir: ${JSON.stringify(dir)}, mode: 'start', modules: defaultModules({ listen: false }), logSinks: [(r) => r.msg === 'handled' && handled()] })
await rt.engine.enqueue({ topic: 'work', data: {} }, { step: 'test', traceId: 't' })
await done
const running = [...new Set(clients())]
await rt.stop()
await import(${JSON.stringify(join(ROOT, 'modules/queue/adapters/rabbitmq-library'))})
console.log(JSON.stringify({ adapter: rt.services.config.queue.adapter, running, after: [...new Set(clients())] }))
`

test('start on the default (sqlite) queue never loads rabbitmq-client, bullmq or ioredis', async () => {
  const dir = project({
    'config.yaml': 'logging:\n  level: info\n',
    'steps/work.step.ts': `export const config = { name: 'Work', triggers: [{ type: 'queue', topic: 'work' }] }
export const handler = async (_data, { logger }) => { logger.info('handled') }`,
  })
  const proc = Bun.spawn([process.execPath, '-e', probe(dir)], { cwd: dir, stdout: 'pipe', stderr: 'pipe' })
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ])
  expect(err).not.toContain('error')
  expect(code).toBe(0)
  const r = JSON.parse(out.trim().split('\n').pop()!) as { adapter: string; running: string[]; after: string[] }
  expect(r.adapter).toBe('sqlite')
  expect(r.running).toEqual([])
  // The probe does see the client once its entry is imported.
  expect(r.after).toContain('rabbitmq-client')
}, 60_000)
