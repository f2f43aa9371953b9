import { afterEach, expect, test } from 'bun:test'
import type { MetricsApi } from '../modules/observability/metrics/metrics-module'
import type { Instrument } from '../modules/observability/metrics/registry'
import { OBSERVABILITY_KEY, type ObservabilityApi } from '../modules/observability/observability-module'
import type { QueueModuleApi } from '../modules/queue/queue-module'
import { fixtureRuntime, tempProjects } from './support/runtime'

// An exemplar (the trace id a latency bucket keeps) must only name a trace the trace store has:
// the console opens it on a click (issue #23).
const project = tempProjects('motia-exemplars-')

const HIT = `
export const config = { name: 'Hit', triggers: [{ type: 'http', method: 'GET', path: '/hit' }], enqueues: ['a'] }
export const handler = async (req, ctx) => {
  const q = req.queryParams
  // A request the test holds open until it resolves the gate it set.
  if (q.gate) await globalThis.__exemplarGate
  if (q.fail) throw new Error('boom')
  if (q.flow) await ctx.enqueue({ topic: 'a', data: {} })
  return { status: 200, body: {} }
}
`
const A = `
export const config = { name: 'A', triggers: [{ type: 'queue', topic: 'a' }] }
export const handler = async () => {}
`

type Rt = Awaited<ReturnType<typeof fixtureRuntime>>
let rt: Rt | undefined
afterEach(async () => {
  await rt?.stop()
  rt = undefined
})

function config(observability: string): string {
  return `sqlite:\n  path: \${MOTIA_SQLITE}\nqueue:\n  workers: 1\nstreams:\n  port: 0\nobservability:\n  store: memory\n${observability}`
}

const obsOf = (r: Rt) => r.services.shared.get(OBSERVABILITY_KEY) as ObservabilityApi

/** Every exemplar of the latency histograms (HTTP requests, step runs), by instrument. */
function exemplars(r: Rt): { http: string[]; steps: string[] } {
  const registry = (r.services.shared.get('metrics') as MetricsApi).registry
  const of = (name: string) => {
    const ids: string[] = []
    const inst = registry.instruments.get(name) as Instrument<'histogram'> | undefined
    for (const s of inst?.series.values() ?? [])
      for (let i = 0; i < s.counts.length; i++) {
        const e = s.exemplar(i)
        if (e) ids.push(e.traceId)
      }
    return ids
  }
  return { http: of('http.server.request.duration'), steps: of('motia.step.duration') }
}

async function hit(r: Rt, path: string): Promise<string> {
  const res = await r.request(path)
  await res.arrayBuffer()
  return res.headers.get('x-trace-id')!
}

test('a request whose trace the store dropped at its end (the admission window rotated twice) leaves no exemplar', async () => {
  rt = await fixtureRuntime(project({ 'config.yaml': config('  maxTraces: 2\n'), 'steps/hit.step.ts': HIT }))
  const obs = obsOf(rt)
  let open!: () => void
  ;(globalThis as Record<string, unknown>).__exemplarGate = new Promise<void>((resolve) => {
    open = resolve
  })
  try {
    // Admitted as it starts, then held open.
    const held = rt.request('/hit?gate=1')
    // Two writes open two new admission windows; the held trace is in neither.
    await hit(rt, '/hit')
    await obs.flush()
    await hit(rt, '/hit')
    await obs.flush()
    // This window is full (maxTraces 2) when the held request ends.
    const fillers = [await hit(rt, '/hit'), await hit(rt, '/hit')]
    open()
    const res = await held
    await res.arrayBuffer()
    const dropped = res.headers.get('x-trace-id')!
    await obs.flush()
    expect(obs.getTrace(dropped)).toBeNull()
    for (const id of fillers) expect(obs.getTrace(id)).not.toBeNull()
    const { http, steps } = exemplars(rt)
    expect(http.length).toBeGreaterThan(0)
    expect(http).not.toContain(dropped)
    expect(steps).not.toContain(dropped)
    for (const id of [...http, ...steps]) expect(obs.getTrace(id)).not.toBeNull()
  } finally {
    open()
    delete (globalThis as Record<string, unknown>).__exemplarGate
  }
})

test('sampled-out requests and messages leave no exemplar; an error kept by tail sampling does', async () => {
  rt = await fixtureRuntime(
    project({
      'config.yaml': config('  maxTraces: 1000\n  sampling:\n    ratio: 0\n'),
      'steps/hit.step.ts': HIT,
      'steps/a.step.ts': A,
    }),
  )
  const obs = obsOf(rt)
  const ok: string[] = []
  for (let i = 0; i < 20; i++) ok.push(await hit(rt, '/hit?flow=1'))
  await (rt.services.shared.get('queue') as QueueModuleApi).idle({ delayed: true })
  await obs.flush()
  for (const id of ok) expect(obs.getTrace(id)).toBeNull()
  expect(exemplars(rt)).toEqual({ http: [], steps: [] })
  // keepErrors (the default) keeps the failed request's span: its trace is there to open.
  const failed = await hit(rt, '/hit?fail=1')
  await obs.flush()
  expect(obs.getTrace(failed)).not.toBeNull()
  expect(exemplars(rt)).toEqual({ http: [failed], steps: [failed] })
})
