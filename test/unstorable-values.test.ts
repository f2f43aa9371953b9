import { afterAll, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createTestRuntime } from '../sdk/testing'
import { FIXTURES, tempDir } from './support/runtime'

// One wording for every value that cannot leave a handler, from the engine thread and from a worker.
const PLAIN = 'cannot be stored; use plain data (objects, arrays, strings, numbers, booleans, null)'
const EXPECTED = [
  { code: 'E_VALUE_NOT_STORABLE', message: `state.set: value.result: a Promise (missing await?) ${PLAIN}` },
  { code: 'E_VALUE_NOT_STORABLE', message: `enqueue: data.f: a function (f) ${PLAIN}` },
  { code: 'E_VALUE_NOT_STORABLE', message: `streams.x.set: data.handle: a function (handle) ${PLAIN}` },
]
const LOGGED = { p: '[Promise]', f: '[Function foo]', s: '[Symbol(s)]', a: { x: 1, handle: '[Function handle]' } }

const tmp = tempDir()
afterAll(() => tmp.dispose())

test('a bad value fails only its own ctx call in a worker; the job beside it runs once, the worker lives', async () => {
  await using rt = await createTestRuntime({ dir: join(FIXTURES, 'unstorable') })
  const file = join(tmp.path, 'runs.txt')
  // Enqueued in one turn: one claim, one batch to the one worker, whose calls share a batch back.
  await Promise.all([
    rt.enqueue({ topic: 'work', data: { kind: 'bad', file } }),
    rt.enqueue({ topic: 'work', data: { kind: 'count', file } }),
    rt.enqueue({ topic: 'work', data: { kind: 'count', file } }),
  ])
  await rt.drain()

  expect(await rt.state.get('results', 'queue')).toEqual(EXPECTED)
  expect(readFileSync(file, 'utf8').trim().split('\n').sort()).toEqual(['bad', 'count', 'count'])
  expect(await rt.state.get('counts', 'n')).toEqual({ n: 2 })
  // No worker crashed or was replaced, no job failed.
  expect(rt.logs.filter((r) => r.level === 'error').map((r) => r.msg)).toEqual([])
  expect(rt.logs.find((r) => r.msg === 'unclonable fields')?.fields).toEqual(LOGGED)
})

test('the same values from an HTTP handler (engine thread) give the same errors and log line', async () => {
  await using rt = await createTestRuntime({ dir: join(FIXTURES, 'unstorable') })
  const res = await rt.request('/bad', { method: 'POST' })
  expect(res.status).toBe(200)
  expect(await res.json()).toEqual(EXPECTED)
  expect(rt.enqueues).toEqual([])
  expect(await rt.state.get('g', 'k')).toBeNull()
  expect(rt.logs.find((r) => r.msg === 'unclonable fields')?.fields).toEqual(LOGGED)
})

test('what gets past the checks (module-level Stream#set, error details) fails alone at the worker boundary', async () => {
  await using rt = await createTestRuntime({ dir: join(FIXTURES, 'unstorable') })
  const file = join(tmp.path, 'bypass.txt')
  await Promise.all([
    rt.enqueue({ topic: 'work', data: { kind: 'bypass', file } }),
    rt.enqueue({ topic: 'work', data: { kind: 'throws', file } }),
    rt.enqueue({ topic: 'work', data: { kind: 'count', file } }),
  ])
  await rt.drain()
  expect(await rt.state.get('results', 'bypass')).toEqual({
    code: 'E_VALUE_NOT_STORABLE',
    message: `streams.x.set: data.p: a Promise (missing await?) ${PLAIN}`,
  })
  // The throwing job is retried once (maxRetries: 1); the others ran once, on a worker never replaced.
  expect(readFileSync(file, 'utf8').trim().split('\n').sort()).toEqual(['bypass', 'count', 'throws', 'throws'])
  const failed = rt.logs.filter((r) => r.level === 'error')
  expect(failed.map((r) => r.msg)).toEqual(['message 2 on "work" failed (attempt 2) and went to dead letters: boom'])
  expect(failed[0]?.fields?.error).toMatchObject({ message: 'boom', details: { f: '[Function f]' } })
})
