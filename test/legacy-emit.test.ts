import { describe, expect, test } from 'bun:test'
import type { QueueModuleApi } from '../modules/queue/queue-module'
import { projectManifest } from '../runtime/project-manifest'
import { createTestContext } from '../sdk/testing'
import { fixtureRuntime, tempProjects } from './support/runtime'

// advanced-use-cases/vision-example and other apps of Motia's first releases (before
// MotiaDev/motia#111, Feb 2025): `emit({ type, data })` and `emits: [{ type, label }]`.
const project = tempProjects('motia-legacy-emit-')

const FILES = {
  // On the engine thread (an HTTP handler), twice: one warning.
  'steps/api.step.ts': `
export const config = {
  type: 'api', name: 'Api', method: 'POST', path: '/go', flows: ['vision'],
  emits: [{ type: 'work', label: 'start work' }],
}
export const handler = async (req, { emit }) => {
  await emit({ type: 'work', data: { from: 'api', n: 1 } })
  await emit({ type: 'work', data: { from: 'api', n: 2 } })
  return { status: 200, body: { ok: true } }
}
`,
  // In a step worker.
  'steps/worker.step.ts': `
export const config = { type: 'event', name: 'Worker', subscribes: ['work'], emits: [{ type: 'done' }], flows: ['vision'] }
export const handler = async (input, { emit, state }) => {
  await state.set('work', String(input.n), input)
  await emit({ type: 'done', data: { from: 'worker', n: input.n } })
}
`,
  'steps/done.step.ts': `
export const config = { type: 'event', name: 'Done', subscribes: ['done'], emits: [], flows: ['vision'] }
export const handler = async (input, { state }) => { await state.set('done', input.from + input.n, input) }
`,
  // In a Python process.
  'steps/py_emit_step.py': `
config = {"type": "event", "name": "PyEmit", "subscribes": ["py"], "emits": [{"type": "done"}], "flows": ["vision"]}

async def handler(input, context):
    await context.emit({"type": "done", "data": {"from": "py", "n": input["n"]}})
`,
}

const drain = (rt: Awaited<ReturnType<typeof fixtureRuntime>>) =>
  (rt.services.shared.get('queue') as QueueModuleApi).idle({ delayed: true })

describe('emit({ type, data })', () => {
  test('is read as the topic on the engine thread, in workers, from Python and on POST /emit; one warning per step', async () => {
    await using rt = await fixtureRuntime(project(FILES))
    expect(rt.problems).toEqual([])
    expect((await rt.request('/go', { method: 'POST' })).status).toBe(200)
    const emitted = await rt.request('/emit', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'py', data: { n: 3 } }),
    })
    expect(emitted.status).toBe(200)
    await drain(rt)

    const get = (g: string, k: string) => rt.engine.state('get', [g, k], { step: 'test', traceId: 'test' })
    expect(await get('work', '1')).toEqual({ from: 'api', n: 1 })
    expect(await get('work', '2')).toEqual({ from: 'api', n: 2 })
    expect([await get('done', 'worker1'), await get('done', 'worker2'), await get('done', 'py3')]).toEqual([
      { from: 'worker', n: 1 },
      { from: 'worker', n: 2 },
      { from: 'py', n: 3 },
    ])

    const deprecations = rt.records
      .filter((r) => r.level === 'warn' && r.msg.includes('"type" is what'))
      .map((r) => [r.step, r.msg])
    expect(deprecations.sort()).toEqual([
      [
        'Api',
        'step "Api" enqueued { type: "work", data }: "type" is what Motia\'s first releases called the topic; read as { topic: "work" } (rename it to topic)',
      ],
      [
        'PyEmit',
        'step "PyEmit" enqueued { type: "done", data }: "type" is what Motia\'s first releases called the topic; read as { topic: "done" } (rename it to topic)',
      ],
      [
        'Worker',
        'step "Worker" enqueued { type: "done", data }: "type" is what Motia\'s first releases called the topic; read as { topic: "done" } (rename it to topic)',
      ],
    ])
    // Declared topics: no "does not declare" warning, and the flow graph links the steps.
    expect(rt.records.filter((r) => r.msg.includes('does not declare'))).toEqual([])
    const { topics } = projectManifest(rt.project(), 'test')
    expect(topics).toEqual({
      work: { producers: ['Api'], consumers: ['Worker'] },
      done: { producers: ['PyEmit', 'Worker'], consumers: ['Done'] },
      py: { producers: [], consumers: ['PyEmit'] },
    })
    expect(rt.records.map((r) => r.msg)).toContain(
      "steps/api.step.ts: emits names topics as { type } (Motia's first releases); read as { topic }, rename it",
    )
  }, 30_000)

  test('still refused without a topic or a type; a test context records the topic', async () => {
    const ctx = createTestContext({ step: { name: 'S', type: 'event', subscribes: ['a'], emits: ['x'] } })
    await expect(ctx.emit({ data: 1 } as never)).rejects.toThrow('enqueue needs { topic: string, data }')
    await expect(ctx.emit({ type: '', data: 1 } as never)).rejects.toThrow('enqueue needs')
    await ctx.emit({ type: 'x', data: 2 } as never)
    expect(ctx.enqueues.map((e: { topic: string; data: unknown }) => [e.topic, e.data])).toEqual([['x', 2]])
  })
})
