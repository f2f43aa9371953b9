import { afterAll, beforeAll, expect, test } from 'bun:test'
import { fixtureRuntime, tempProjects } from '../../test/support/runtime'
import { TestClient } from '../streams/test-harness'
import type { IiiModuleApi } from './iii-module'
import { III_TEST_CONFIG, settled, TestWorker } from './test-worker'

// Workers' stream::* are motia streams: same store, same clients, triggers both ways.
const project = tempProjects('motia-iii-streams-')
let rt: Awaited<ReturnType<typeof fixtureRuntime>>
let url: string
let streamsUrl: string
let httpUrl: string
const workers: TestWorker[] = []
const connect = async () => {
  const w = await TestWorker.connect(url)
  workers.push(w)
  await w.next('workerregistered')
  return w
}

beforeAll(async () => {
  rt = await fixtureRuntime(
    project({
      'config.yaml': III_TEST_CONFIG,
      'steps/todo.stream.ts': `export const config = { name: 'todo', schema: { type: 'object' }, baseConfig: { storageType: 'default' } }`,
      // A step writing a declared stream, and a step taking a stream trigger on a worker's writes.
      'steps/write-todo.step.ts': `export const config = { name: 'WriteTodo', triggers: [{ type: 'http', method: 'POST', path: '/todo/:id' }] }
export const handler = async (req, ctx) => { await ctx.streams.todo.set('inbox', req.pathParams.id, req.body); return { status: 200, body: {} } }
`,
      'steps/on-worker-stream.step.ts': `export const config = { name: 'OnWorkerStream', triggers: [{ type: 'stream', streamName: 'todo' }] }
export const handler = async (input, ctx) => { await ctx.state.set('seen-by-step', input.id, { type: input.event.type, data: input.event.data }) }
`,
    }),
    { listen: true, mode: 'start' },
  )
  url = (rt.services.shared.get('iii') as IiiModuleApi).url()!
  streamsUrl = rt.services.shared.get('streams.url') as string
  httpUrl = (rt.services.shared.get('http.url') as string).replace(/\/$/, '')
})
afterAll(async () => {
  for (const w of workers) w.close()
  await rt?.stop()
})

test("a worker's writes to an undeclared stream reach Motia stream clients; the worker reads its values back as written", async () => {
  const client = await TestClient.connect(streamsUrl)
  client.join('live', 'room')
  await client.sync('live', 'room')
  const w = await connect()
  const set = await w.call('stream::set', { stream_name: 'live', group_id: 'room', item_id: 'a', data: { n: 1 } })
  expect(set.result).toEqual({ old_value: null, new_value: { n: 1 } })
  const created = await client.next((m) => m.event?.type === 'create' && m.id === 'a')
  expect(created.event.data.n).toBe(1)
  expect(created.event.data.id).toBe('a')

  await w.call('stream::set', { stream_name: 'live', group_id: 'room', item_id: 'b', data: 42 })
  await w.call('stream::set', { stream_name: 'live', group_id: 'room', item_id: 'c', data: { id: 'c', k: true } })
  expect((await w.call('stream::get', { stream_name: 'live', group_id: 'room', item_id: 'b' })).result).toBe(42)
  const list = (await w.call('stream::list', { stream_name: 'live', group_id: 'room' })).result
  expect(list).toEqual([{ n: 1 }, 42, { id: 'c', k: true }])
  expect((await w.call('stream::list_groups', { stream_name: 'live' })).result).toEqual(['room'])
  const deleted = await w.call('stream::delete', { stream_name: 'live', group_id: 'room', item_id: 'a' })
  expect(deleted.result).toEqual({ old_value: { n: 1 } })
  await client.next((m) => m.event?.type === 'delete' && m.id === 'a')
  // The items are in motia's stream store: a step's ctx.streams reads them.
  const stored = await rt.services.engine.stream('live', 'getGroup', ['room'], { step: 't', traceId: 't' })
  expect((stored as { id: string }[]).map((i) => i.id)).toEqual(['b', 'c'])
  client.close()
})

test("a worker's stream trigger fires on a step's write; a step's stream trigger fires on a worker's write", async () => {
  const w = await connect()
  const events: any[] = []
  w.register('test::on-todo', (e) => {
    events.push(e)
    return null
  })
  w.send({
    type: 'registertrigger',
    id: 'todo-trigger',
    trigger_type: 'stream',
    function_id: 'test::on-todo',
    config: { stream_name: 'todo', group_id: 'inbox' },
  })
  await settled(w)
  const res = await fetch(`${httpUrl}/todo/t1`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text: 'milk' }),
  })
  expect(res.status).toBe(200)
  while (events.length === 0) await Bun.sleep(10)
  expect(events[0]).toMatchObject({
    type: 'stream',
    streamName: 'todo',
    groupId: 'inbox',
    id: 't1',
    event: { type: 'create', data: { id: 't1', text: 'milk' } },
  })
  expect(typeof events[0].timestamp).toBe('number')

  await w.call('stream::set', { stream_name: 'todo', group_id: 'other', item_id: 't2', data: { text: 'eggs' } })
  let seen: unknown
  for (let i = 0; i < 500 && !seen; i++) {
    seen = (await w.call('state::get', { scope: 'seen-by-step', key: 't2' })).result
    if (!seen) await Bun.sleep(20)
  }
  expect(seen).toMatchObject({ type: 'create', data: { id: 't2', text: 'eggs' } })
  // The trigger's group_id filter: the worker's own write to group "other" did not reach it.
  expect(events.every((e) => e.groupId === 'inbox')).toBe(true)
})
