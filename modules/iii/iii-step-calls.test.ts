import { afterAll, beforeAll, expect, test } from 'bun:test'
import { fixtureRuntime, tempProjects } from '../../test/support/runtime'
import type { IiiModuleApi } from './iii-module'
import { III_TEST_CONFIG, TestWorker } from './test-worker'

// Steps call worker functions with Motia 1.x's `getInstance().trigger(...)` and await the result.
const project = tempProjects('motia-iii-calls-')
let rt: Awaited<ReturnType<typeof fixtureRuntime>>
let httpUrl: string
let worker: TestWorker

beforeAll(async () => {
  rt = await fixtureRuntime(
    project({
      'config.yaml': III_TEST_CONFIG,
      // An HTTP step (engine thread) and a queue step (a worker thread of the pool: the call
      // crosses to the engine, then to the iii worker).
      'steps/call_worker_step.py': `from motia import get_instance, http
config = {"name": "PyCallWorker", "triggers": [http("POST", "/py-call")]}
async def handler(req):
    result = await get_instance().trigger({"function_id": "math::add", "payload": req["body"]})
    return {"status": 200, "body": {"result": result}}
`,
      'steps/queued-call.step.ts': `import { getInstance } from 'motia'
export const config = { name: 'QueuedCall', triggers: [{ type: 'queue', topic: 'add' }] }
export const handler = async (input, ctx) => {
  const result = await getInstance().trigger({ function_id: 'math::add', payload: input })
  await ctx.state.set('calls', 'from-queue', result)
}
`,
      'steps/call-worker.step.ts': `import { getInstance } from 'motia'
export const config = { name: 'CallWorker', triggers: [{ type: 'http', method: 'POST', path: '/call/:fn' }] }
export const handler = async (req) => {
  try {
    const result = await getInstance().trigger({ function_id: req.pathParams.fn, payload: req.body })
    return { status: 200, body: { result } }
  } catch (err) {
    return { status: 502, body: { error: err.message } }
  }
}
`,
    }),
    { listen: true, mode: 'start' },
  )
  httpUrl = (rt.services.shared.get('http.url') as string).replace(/\/$/, '')
  worker = await TestWorker.connect((rt.services.shared.get('iii') as IiiModuleApi).url()!)
  await worker.next('workerregistered')
  worker.register('math::add', (d: { a: number; b: number }) => ({ sum: d.a + d.b }))
  worker.register('math::fail', () => {
    throw new Error('cannot divide by zero')
  })
  worker.send({ type: 'ping' })
  await worker.next('pong')
})
afterAll(async () => {
  worker?.close()
  await rt?.stop()
})

const call = (fn: string, body: unknown) =>
  fetch(`${httpUrl}/call/${fn}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })

test("a step awaits a worker function's result", async () => {
  const res = await call('math::add', { a: 2, b: 3 })
  expect(res.status).toBe(200)
  expect(await res.json()).toEqual({ result: { sum: 5 } })
})

test("a worker function's failure, and an unknown function, reject in the step", async () => {
  const failed = await call('math::fail', {})
  expect(failed.status).toBe(502)
  expect(((await failed.json()) as { error: string }).error).toContain('cannot divide by zero')
  const unknown = await call('math::nope', {})
  expect(unknown.status).toBe(502)
  expect(((await unknown.json()) as { error: string }).error).toContain('math::nope')
})

test('a step reaches the engine functions too (state::set / state::get)', async () => {
  await call('state::set', { scope: 'calls', key: 'k', value: { v: 1 } })
  const res = await call('state::get', { scope: 'calls', key: 'k' })
  expect(await res.json()).toEqual({ result: { v: 1 } })
})

test('a queue step in a worker thread awaits a worker function too', async () => {
  await worker.call('enqueue', { topic: 'add', data: { a: 20, b: 22 } })
  let got: unknown
  for (let i = 0; i < 500 && !got; i++) {
    got = (await worker.call('state::get', { scope: 'calls', key: 'from-queue' })).result
    if (!got) await Bun.sleep(20)
  }
  expect(got).toEqual({ sum: 42 })
})

test('a Python step awaits a worker function (get_instance().trigger)', async () => {
  const res = await fetch(`${httpUrl}/py-call`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ a: 1, b: 41 }),
  })
  expect(await res.json()).toEqual({ result: { sum: 42 } })
  expect(res.status).toBe(200)
})
