import { afterAll, beforeAll, expect, test } from 'bun:test'
import { TestWorker } from '../../modules/iii/test-worker'
import { ensureBinary, type RunningMotia, startMotia } from '../support/binary'
import { tempProjects } from '../support/runtime'

// The worker port of the compiled binary: an iii worker registers a function behind an HTTP
// trigger, shares state with a TS step, and bad or oversized frames do not stop the port.
const project = tempProjects('motia-e2e-iii-')
let motia: RunningMotia
let wsUrl: string

beforeAll(async () => {
  await ensureBinary()
  const dir = project({
    'config.yaml': 'streams: { port: 0 }\nconsole: { enabled: false }\niii: { port: 0, maxMessageBytes: 65536 }\n',
    'steps/read.step.ts': `export const config = { name: 'Read', triggers: [{ type: 'http', method: 'GET', path: '/read/:key' }] }
export const handler = async (req, ctx) => ({ status: 200, body: { value: await ctx.state.get('shared', req.pathParams.key) } })
`,
  })
  motia = await startMotia(['start', '--dir', dir, '--port', '0', '--host', '127.0.0.1'], {
    env: { MOTIA_SQLITE: `${dir}/.motia/e2e.db` },
  })
  for (let i = 0; i < 100 && !/iii worker port listening on (ws:\/\/[^"\s]+)/.test(motia.output()); i++)
    await Bun.sleep(20)
  wsUrl = /iii worker port listening on (ws:\/\/[^"\s]+)/.exec(motia.output())![1]!
}, 120_000)
afterAll(async () => {
  await motia?.stop()
})

test('dist/motia serves iii workers: functions behind HTTP triggers, shared state, bad frames survived', async () => {
  const w = await TestWorker.connect(wsUrl)
  await w.next('workerregistered')
  w.register('e2e::greet', (req: { path_params: { name: string } }) => ({
    status_code: 200,
    body: { hello: req.path_params.name },
  }))
  w.send({
    type: 'registertrigger',
    id: 'greet',
    trigger_type: 'http',
    function_id: 'e2e::greet',
    config: { api_path: 'greet/:name', http_method: 'GET' },
  })
  w.ws.send('{ not json')
  const set = await w.call('state::set', { scope: 'shared', key: 'k', value: { by: 'worker' } })
  expect(set.result).toEqual({ old_value: null, new_value: { by: 'worker' } })
  expect(await (await fetch(`${motia.url}/greet/ada`)).json()).toEqual({ hello: 'ada' })
  expect(await (await fetch(`${motia.url}/read/k`)).json()).toEqual({ value: { by: 'worker' } })

  const big = await TestWorker.connect(wsUrl)
  big.ws.send(JSON.stringify({ type: 'ping', pad: 'x'.repeat(70_000) }))
  expect((await big.closed).code).toBe(1009)
  // The first worker is unaffected; after it leaves, its route is gone.
  expect((await w.call('state::get', { scope: 'shared', key: 'k' })).result).toEqual({ by: 'worker' })
  w.close()
  await w.closed
  for (let i = 0; i < 100 && (await fetch(`${motia.url}/greet/ada`)).status !== 404; i++) await Bun.sleep(10)
  expect((await fetch(`${motia.url}/greet/ada`)).status).toBe(404)
  expect(motia.output()).toContain('bad frame refused: not JSON')
})
