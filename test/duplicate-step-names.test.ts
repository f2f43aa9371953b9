import { describe, expect, test } from 'bun:test'
import { OBSERVABILITY_KEY, type ObservabilityApi } from '../modules/observability/observability-module'
import type { QueueModuleApi } from '../modules/queue/queue-module'
import { projectManifest } from '../runtime/project-manifest'
import { fixtureRuntime, tempProjects } from './support/runtime'

// ai-agents/specialized-agents/ai-health-fitness: one step name in several files. Motia 0.x
// keyed steps by file and ran them all; so does this runtime, and tells them apart everywhere.
const project = tempProjects('motia-dup-names-')

const consumer = (key: string) => `
export const config = { type: 'event', name: 'Agent', subscribes: ['work'], emits: [], flows: ['fit'] }
export const handler = async (input, { state, logger }) => {
  await state.set('seen', '${key}', input)
  logger.info('worker ran')
}
`
const FILES = {
  'steps/one/agent.step.ts': `
export const config = { type: 'api', name: 'Agent', method: 'GET', path: '/go', emits: ['work'], flows: ['fit'] }
export const handler = async (req, { emit, logger }) => {
  logger.info('api ran')
  await emit({ topic: 'work', data: { n: 1 } })
  return { status: 200, body: { ok: true } }
}
`,
  'steps/two/agent.step.ts': consumer('two'),
  'steps/three/agent.step.ts': consumer('three'),
}

describe('two steps with one name', () => {
  test('both load with a warning naming both files, both run, and logs, traces and the manifest tell them apart', async () => {
    await using rt = await fixtureRuntime(project(FILES))
    expect(rt.problems).toEqual([])
    const warnings = rt.records.filter((r) => r.level === 'warn').map((r) => r.msg)
    expect(warnings).toContain(
      'steps/three/agent.step.ts: step name "Agent" is also used by steps/one/agent.step.ts; both are loaded, this one as "Agent (steps/three/agent.step.ts)" (logs, traces, console)',
    )
    expect(warnings).toContain(
      'steps/two/agent.step.ts: step name "Agent" is also used by steps/one/agent.step.ts; both are loaded, this one as "Agent (steps/two/agent.step.ts)" (logs, traces, console)',
    )
    const names = rt.project().steps.map((s) => [s.name, s.relFile])
    expect(names).toEqual([
      ['Agent', 'steps/one/agent.step.ts'],
      ['Agent (steps/three/agent.step.ts)', 'steps/three/agent.step.ts'],
      ['Agent (steps/two/agent.step.ts)', 'steps/two/agent.step.ts'],
    ])

    const res = await rt.request('/go')
    expect(res.status).toBe(200)
    const traceId = res.headers.get('x-trace-id') ?? ''
    await (rt.services.shared.get('queue') as QueueModuleApi).idle({ delayed: true })
    // Each consumer has its own subscription: both got the message.
    const seen = (k: string) => rt.engine.state('get', ['seen', k], { step: 'test', traceId: 'test' })
    expect([await seen('two'), await seen('three')]).toEqual([{ n: 1 }, { n: 1 }])

    // Logs (written in the worker threads) carry each step's own label.
    const ran = rt.records.filter((r) => r.msg === 'worker ran').map((r) => r.step)
    expect(ran.sort()).toEqual(['Agent (steps/three/agent.step.ts)', 'Agent (steps/two/agent.step.ts)'])
    expect(rt.records.find((r) => r.msg === 'api ran')?.step).toBe('Agent')

    // Traces: one span per consumer, each with its step.
    const obs = rt.services.shared.get(OBSERVABILITY_KEY) as ObservabilityApi
    const spans = obs.getTrace(traceId)?.spans ?? []
    const stepsOfRuns = spans.filter((s) => s.name === 'process work').map((s) => s.attributes?.['motia.step'])
    expect(stepsOfRuns.sort()).toEqual(['Agent (steps/three/agent.step.ts)', 'Agent (steps/two/agent.step.ts)'])

    // The console's project (and motia.lock.json) list three steps and both consumers of the topic.
    const manifest = projectManifest(rt.project(), 'test')
    expect(manifest.steps.map((s) => s.name)).toEqual(rt.project().steps.map((s) => s.name))
    expect(manifest.topics.work).toEqual({
      producers: ['Agent'],
      consumers: ['Agent (steps/three/agent.step.ts)', 'Agent (steps/two/agent.step.ts)'],
    })
    expect(manifest.flows.fit).toHaveLength(3)
  })

  test("a file repeating a step's name and route is a copy: left out with a warning, the first file answers, start runs", async () => {
    // ai-health-fitness: intent_router_api.step.ts and message_router_api.step.ts, both
    // `intent-router` on POST /intent. Motia 0.x loaded both; Express answered with the first.
    const copy = (tag: string) => `
export const config = { type: 'api', name: 'intent-router', method: 'POST', path: '/intent', emits: [] }
export const handler = async () => ({ status: 200, body: { served: '${tag}' } })
`
    const dir = project({
      'steps/intent_router_api.step.ts': copy('first'),
      'steps/message_router_api.step.ts': copy('copy'),
    })
    await using rt = await fixtureRuntime(dir, { mode: 'start' })
    expect(rt.problems).toEqual([])
    expect(rt.project().steps.map((s) => s.relFile)).toEqual(['steps/intent_router_api.step.ts'])
    expect(rt.records.filter((r) => r.level === 'warn').map((r) => r.msg)).toContain(
      'steps/message_router_api.step.ts: repeats step "intent-router" of steps/intent_router_api.step.ts with the same route POST /intent; not loaded: steps/intent_router_api.step.ts serves the route, as under Motia 0.x (the first file\'s route answered)',
    )
    expect(await (await rt.request('/intent', { method: 'POST' })).json()).toEqual({ served: 'first' })
  })

  test('two differently named steps on one route are still E_ROUTE_DUPLICATE', async () => {
    const dir = project({
      'steps/a.step.ts': `export const config = { type: 'api', name: 'A', method: 'GET', path: '/same', emits: [] }\nexport const handler = async () => ({ status: 200, body: {} })\n`,
      'steps/b.step.ts': `export const config = { type: 'api', name: 'B', method: 'GET', path: '/same', emits: [] }\nexport const handler = async () => ({ status: 200, body: {} })\n`,
    })
    await using rt = await fixtureRuntime(dir)
    expect(rt.problems.map((p) => p.code)).toEqual(['E_ROUTE_DUPLICATE'])
  })
})
