import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { OBSERVABILITY_KEY, type ObservabilityApi } from '../modules/observability/observability-module'
import type { QueueModuleApi } from '../modules/queue/queue-module'
import { formatJson } from '../runtime/log-format'
import { NOT_SAMPLED_SPAN_ID } from '../runtime/trace-id'
import type { SpanRecord } from '../runtime/tracing'
import { dropPrefix, freshPrefix } from './support/redis'
import { fixtureRuntime, tempProjects } from './support/runtime'

// Trace sampling (observability.sampling, docs/observability.md): which traces are recorded,
// decided once per execution, carried with messages so a flow is kept or dropped whole, and
// errors and slow executions kept after all.
const project = tempProjects('motia-sampling-')

const HIT = `
export const config = {
  name: 'Hit',
  triggers: [
    { type: 'http', method: 'GET', path: '/hit' },
    { type: 'http', method: 'GET', path: '/always' },
    { type: 'http', method: 'GET', path: '/alpha' },
  ],
  enqueues: ['a'],
}
export const handler = async (req, ctx) => {
  const q = req.queryParams
  if (q.slow) await new Promise((r) => setTimeout(r, Number(q.slow)))
  if (q.fail) throw new Error('boom')
  ctx.logger.info('hit')
  if (q.flow) await ctx.enqueue({ topic: 'a', data: { fail: q.flow === 'fail' } })
  return { status: 200, body: { traceId: ctx.traceId } }
}
`
const A = `
export const config = { name: 'A', triggers: [{ type: 'queue', topic: 'a' }], enqueues: ['b'] }
export const handler = async (data, ctx) => {
  await ctx.state.set('seen', ctx.traceId, true)
  await ctx.enqueue({ topic: 'b', data })
}
`
const B = `
import { NonRetriableError } from 'motia'
export const config = { name: 'B', triggers: [{ type: 'queue', topic: 'b' }] }
export const handler = async (data, ctx) => {
  if (data.fail) throw new NonRetriableError('b failed')
  ctx.logger.info('b done')
}
`
const PY_A = `
from motia import enqueue, queue

config = {"name": "PyA", "triggers": [queue("a")], "enqueues": ["b"]}


def handler(data, ctx):
    enqueue({"topic": "b", "data": data})
`

/** A rule that alone would keep every message: flows dropped whole prove the decision travels. */
const QUEUE_RULE = 'rules:\n  - trigger: queue\n    ratio: 1'

function config(sampling: string, extra = ''): string {
  return `sqlite:\n  path: \${MOTIA_SQLITE}\nqueue:\n  workers: 1\n  defaults:\n    maxRetries: 0\nstreams:\n  port: 0\n${extra}observability:\n  store: memory\n  maxTraces: 20000\n  sampling:\n${sampling
    .trim()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n')}\n`
}

type Rt = Awaited<ReturnType<typeof fixtureRuntime>>
const obsOf = (rt: Rt) => rt.services.shared.get(OBSERVABILITY_KEY) as ObservabilityApi
const drain = (rt: Rt) => (rt.services.shared.get('queue') as QueueModuleApi).idle({ delayed: true })

async function hit(rt: Rt, path: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await rt.request(path, { headers })
  const id = res.headers.get('x-trace-id')!
  await res.arrayBuffer()
  return id
}

const names = (spans: SpanRecord[] | undefined) => [...new Set((spans ?? []).map((s) => s.name))].sort()
const FLOW = ['GET /hit', 'enqueue a', 'enqueue b', 'process a', 'process b', 'state.set']

/** Sends `n` flows (HTTP → a → b) and returns each trace's recorded span names. */
async function flows(rt: Rt, n: number): Promise<string[][]> {
  const ids: string[] = []
  for (let i = 0; i < n; i++) ids.push(await hit(rt, '/hit?flow=1'))
  await drain(rt)
  return ids.map((id) => names(obsOf(rt).getTrace(id)?.spans))
}

/** Each flow recorded whole or not at all; returns how many were kept. */
function wholeOrNothing(got: string[][], whole: string[]): number {
  for (const g of got) expect([[], whole]).toContainEqual(g)
  return got.filter((g) => g.length > 0).length
}

describe('ratio 0.1', () => {
  let rt: Rt
  beforeAll(async () => {
    const dir = project({
      // Messages would be kept by the queue rule: a flow dropped whole shows the decision travelled with them.
      'config.yaml': config(`ratio: 0.1\n${QUEUE_RULE}`),
      'steps/hit.step.ts': HIT,
      'steps/a.step.ts': A,
      'steps/b.step.ts': B,
    })
    rt = await fixtureRuntime(dir)
  })
  afterAll(() => rt?.stop())

  test('over 10,000 requests keeps 8–12% of traces and every error', async () => {
    const errors: string[] = []
    const ok: string[] = []
    for (let i = 0; i < 10_000; i++) {
      if (i % 50 === 7) errors.push(await hit(rt, '/hit?fail=1'))
      else ok.push(await hit(rt, '/hit'))
    }
    const obs = obsOf(rt)
    const kept = new Set(obs.listTraces({ limit: 20_000 }).map((t) => t.traceId))
    const keptOk = ok.filter((id) => kept.has(id)).length
    expect(keptOk / ok.length).toBeGreaterThan(0.08)
    expect(keptOk / ok.length).toBeLessThan(0.12)
    // Every failed request is there: sampled ones whole, the others as their own span, marked.
    expect(errors.filter((id) => !kept.has(id))).toEqual([])
    const tail = errors.map((id) => obs.getTrace(id)!.spans[0]!).filter((s) => s.attributes['motia.sampling.kept'])
    expect(tail.length).toBeGreaterThan(errors.length * 0.8)
    expect(tail[0]).toMatchObject({
      name: 'GET /hit',
      status: 'error',
      attributes: { 'motia.step': 'Hit', 'http.response.status_code': 500, 'motia.sampling.kept': 'error' },
    })
    expect(tail[0]!.events.map((e) => e.name)).toContain('exception')
  }, 120_000)

  test('a flow HTTP → queue → queue (sqlite queue) is kept or dropped whole', async () => {
    const kept = wholeOrNothing(await flows(rt, 300), FLOW)
    expect(kept).toBeGreaterThan(10)
    expect(kept).toBeLessThan(60)
  }, 60_000)

  test('a step that fails in a flow that is not kept is recorded alone; the flow before it is not', async () => {
    const ids: string[] = []
    for (let i = 0; i < 40; i++) ids.push(await hit(rt, '/hit?flow=fail'))
    await drain(rt)
    const got = ids.map((id) => names(obsOf(rt).getTrace(id)?.spans))
    const dropped = got.filter((g) => !g.includes('GET /hit'))
    expect(dropped.length).toBeGreaterThan(20)
    for (const g of dropped) expect(g).toEqual(['process b'])
  }, 60_000)

  test('a trace that was not kept: the API says why; its log lines still carry the trace id', async () => {
    const obs = obsOf(rt)
    let id = ''
    for (let i = 0; i < 100 && !id; i++) {
      const t = await hit(rt, '/hit')
      if (!obs.getTrace(t)) id = t
    }
    expect(obs.notKept(id)).toBe('sampled out (ratio 0.1)')
    const line = rt.records.find((r) => r.msg === 'hit' && r.traceId === id)!
    expect(line.spanId).toBe(NOT_SAMPLED_SPAN_ID)
    expect(JSON.parse(formatJson(line))).toMatchObject({ traceId: id, step: 'Hit' })
    expect(JSON.parse(formatJson(line)).spanId).toBeUndefined()
    // A kept trace, and one sampling would have kept, get no such answer.
    expect(obs.notKept('0123456789abcdef0123456700000001')).toBeUndefined()
  })
})

describe('rules, parent-based, slow', () => {
  let rt: Rt
  beforeAll(async () => {
    const dir = project({
      'config.yaml': config(`
ratio: 1
keepSlowerThan: 80ms
rules:
  - route: /always
    ratio: 1
  - route: /al*
    ratio: 0
  - trigger: http
    method: GET
    ratio: 0`),
      'steps/hit.step.ts': HIT,
      'steps/a.step.ts': A,
      'steps/b.step.ts': B,
    })
    rt = await fixtureRuntime(dir)
  })
  afterAll(() => rt?.stop())
  const kept = (id: string) => obsOf(rt).getTrace(id) !== null

  test('rules apply in order, first match wins', async () => {
    for (let i = 0; i < 20; i++) {
      expect(kept(await hit(rt, '/always'))).toBe(true)
      expect(kept(await hit(rt, '/alpha'))).toBe(false)
      expect(kept(await hit(rt, '/hit'))).toBe(false)
    }
    const id = await hit(rt, '/alpha')
    expect(obsOf(rt).notKept(id)).toBe('sampled out (rule 2: route /al*, ratio 0)')
  })

  test("an incoming traceparent's sampled flag is honoured, and travels with the messages", async () => {
    const trace = '4bf92f3577b34da6a3ce929d0e0e4736'
    // Flags 01 on a route a rule drops: kept, with the flow it starts.
    await hit(rt, '/hit?flow=1', { traceparent: `00-${trace}-00f067aa0ba902b7-01` })
    await drain(rt)
    const spans = obsOf(rt).getTrace(trace)!.spans
    expect(names(spans)).toEqual(FLOW)
    expect(spans.find((s) => s.name === 'GET /hit')!.parentSpanId).toBe('00f067aa0ba902b7')
    // Flags 00 on a route kept always: dropped, with its flow.
    const other = '5bf92f3577b34da6a3ce929d0e0e4737'
    await hit(rt, '/always?flow=1', { traceparent: `00-${other}-00f067aa0ba902b7-00` })
    await drain(rt)
    expect(obsOf(rt).getTrace(other)).toBeNull()
    expect(obsOf(rt).notKept(other)).toContain('sampled out by its parent')
  })

  test('an execution slower than keepSlowerThan is kept; a quick one is not', async () => {
    const slow = await hit(rt, '/hit?slow=120')
    const quick = await hit(rt, '/hit')
    expect(obsOf(rt).getTrace(slow)!.spans).toMatchObject([
      { name: 'GET /hit', status: 'ok', attributes: { 'motia.sampling.kept': 'slow' } },
    ])
    expect(obsOf(rt).getTrace(slow)!.spans[0]!.endTime - obsOf(rt).getTrace(slow)!.spans[0]!.startTime).toBeGreaterThan(
      100,
    )
    expect(kept(quick)).toBe(false)
  })
})

test('maxTracesPerSecond caps the traces kept per second', async () => {
  const dir = project({ 'config.yaml': config('maxTracesPerSecond: 5'), 'steps/hit.step.ts': HIT })
  await using rt = await fixtureRuntime(dir)
  const start = performance.now()
  const ids: string[] = []
  for (let i = 0; i < 300; i++) ids.push(await hit(rt, '/hit'))
  const seconds = Math.floor(performance.now() / 1000) - Math.floor(start / 1000) + 1
  const kept = ids.filter((id) => obsOf(rt).getTrace(id) !== null).length
  expect(kept).toBeGreaterThanOrEqual(5)
  expect(kept).toBeLessThanOrEqual(5 * seconds)
  expect(obsOf(rt).notKept(ids.find((id) => obsOf(rt).getTrace(id) === null)!)).toBe('over maxTracesPerSecond (5)')
})

test('through BullMQ on Redis, a flow is kept or dropped whole', async () => {
  const prefix = freshPrefix('sampling')
  try {
    const dir = project({
      'config.yaml': config(`ratio: 0.3\n${QUEUE_RULE}`, `redis:\n  prefix: ${prefix}\n`).replace(
        'queue:\n',
        'queue:\n  adapter: redis\n',
      ),
      'steps/hit.step.ts': HIT,
      'steps/a.step.ts': A,
      'steps/b.step.ts': B,
    })
    await using rt = await fixtureRuntime(dir)
    const kept = wholeOrNothing(await flows(rt, 60), FLOW)
    expect(kept).toBeGreaterThan(5)
    expect(kept).toBeLessThan(40)
  } finally {
    await dropPrefix(prefix)
  }
}, 60_000)

test('through a Python step (HTTP → queue → Python → queue), a flow is kept or dropped whole', async () => {
  const dir = project({
    'config.yaml': config(`ratio: 0.5\n${QUEUE_RULE}`),
    'steps/hit.step.ts': HIT,
    'steps/py_a_step.py': PY_A,
    'steps/b.step.ts': B,
  })
  await using rt = await fixtureRuntime(dir)
  const kept = wholeOrNothing(await flows(rt, 40), ['GET /hit', 'enqueue a', 'enqueue b', 'process a', 'process b'])
  expect(kept).toBeGreaterThan(5)
  expect(kept).toBeLessThan(35)
}, 60_000)
