import { expect, test } from 'bun:test'
import { fixtureRuntime, tempProjects } from '../../../test/support/runtime'
import { alertRoutes } from '../../console/api/alerts'
import type { LogBuffer } from '../../console/log-buffer'
import type { FiredAlert } from './alert-actions'
import { ALERTS_KEY, type AlertsApi } from './alerts-module'

const project = tempProjects('motia-alerts-')

const HELLO = `
import { http } from 'motia'
export const config = { name: 'Hello', triggers: [http('GET', '/hello')] } as const
export const handler = async () => ({ status: 200, body: 'hi' })
`
// The alarm handled like any message: kept in state, one item per alert.
const ON_ALERT = `
import { queue } from 'motia'
export const config = { name: 'OnAlert', triggers: [queue('ops.alert')] } as const
export const handler = async (alert, ctx) => { await ctx.state.set('alerts', alert.id, alert) }
`

/** Polls `ready` every 10 ms (the rules are evaluated every 20 ms) up to 10 s. */
async function until<T>(what: string, ready: () => T | undefined | false | Promise<T | undefined | false>): Promise<T> {
  for (let i = 0; i < 1000; i++) {
    const v = await ready()
    if (v) return v
    await Bun.sleep(10)
  }
  throw new Error(`never: ${what}`)
}

test('an enqueue alert fires once per cooldown and its step handles the alarm', async () => {
  const dir = project({
    'config.yaml': [
      'queue: { workers: 1 }',
      'observability:',
      '  alerts:',
      '    - name: busy',
      '      metric: motia.step.executions',
      '      labels: { motia.step: Hello }',
      "      operator: '>='",
      '      threshold: 2',
      '      window: 1m',
      '      cooldown: 700ms',
      '      every: 20ms',
      '      action: { type: enqueue, topic: ops.alert }',
    ].join('\n'),
    'steps/hello.step.ts': HELLO,
    'steps/on-alert.step.ts': ON_ALERT,
  })
  await using rt = await fixtureRuntime(dir, { mode: 'start' })
  const alerts = rt.services.shared.get(ALERTS_KEY) as AlertsApi
  await until('a first evaluation', () => alerts.rules()[0]!.evaluations > 0)
  expect((await rt.request('/hello')).status).toBe(200)
  // One execution in the window: under the threshold, nothing fires.
  const seen = alerts.rules()[0]!.evaluations
  await until('two more evaluations', () => alerts.rules()[0]!.evaluations >= seen + 2)
  expect(alerts.fired()).toEqual([])
  expect((await rt.request('/hello')).status).toBe(200)
  const [first] = await until('the alert', () => alerts.fired().length === 1 && alerts.fired())
  expect(first).toMatchObject({
    name: 'busy',
    metric: 'motia.step.executions',
    labels: { 'motia.step': 'Hello' },
    aggregate: 'increase',
    operator: '>=',
    threshold: 2,
    value: 2,
    action: 'enqueue',
  })
  // Still over the threshold at each evaluation, but within the cooldown: no second alert.
  const after = alerts.rules()[0]!.evaluations
  await until('ten more evaluations', () => alerts.rules()[0]!.evaluations >= after + 10)
  const quiet = alerts.fired()
  if (quiet.length === 1) expect(Date.now() - first!.firedAt).toBeGreaterThanOrEqual(10 * 20)
  else expect(quiet[0]!.firedAt - first!.firedAt).toBeGreaterThanOrEqual(700)
  // Once the cooldown is over it fires again (the window still holds both executions).
  const fired = await until('the second alert', () => alerts.fired().length >= 2 && alerts.fired())
  expect(fired[fired.length - 2]!.firedAt - fired[fired.length - 1]!.firedAt).toBeGreaterThanOrEqual(700)
  // Each alert was a message its step handled.
  const origin = { step: 'test', traceId: 'alerts-test' }
  const handled = await until('both alarms handled', async () => {
    const items = (await rt.engine.state('getGroup', ['alerts'], origin)) as FiredAlert[]
    return items.length >= 2 && items
  })
  expect(handled.map((a) => a.id).sort()).toEqual(['busy-1', 'busy-2'])
  expect(handled.every((a) => a.name === 'busy' && a.value === 2)).toBe(true)
  expect(alerts.fired().every((a) => a.delivery === 'delivered')).toBe(true)
})

test('a webhook alert reaches a loopback receiver, retried after a 500; a log alert logs; /api/alerts lists them', async () => {
  const received: { body: FiredAlert; auth: string | null; status: number }[] = []
  using receiver = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(req) {
      const status = received.length === 0 ? 500 : 200
      received.push({ body: (await req.json()) as FiredAlert, auth: req.headers.get('authorization'), status })
      return new Response(null, { status })
    },
  })
  const dir = project({
    'config.yaml': [
      'observability:',
      '  alerts:',
      '    - name: slow-hello',
      '      metric: http.server.request.duration',
      "      labels: { http.route: '/hello' }",
      '      aggregate: p95',
      "      operator: '>='",
      '      threshold: 0',
      '      window: 1m',
      '      cooldown: 1h',
      '      every: 20ms',
      '      action:',
      '        type: webhook',
      `        url: http://127.0.0.1:${receiver.port}/hooks/motia`,
      '        headers: { authorization: Bearer s3cret }',
      '        retries: 2',
      '        backoff: 20ms',
      '        timeout: 2s',
      '    - name: hello-seen',
      '      metric: motia.step.executions',
      "      operator: '>'",
      '      threshold: 0',
      '      every: 20ms',
    ].join('\n'),
    'steps/hello.step.ts': HELLO,
  })
  await using rt = await fixtureRuntime(dir, { mode: 'start' })
  const alerts = rt.services.shared.get(ALERTS_KEY) as AlertsApi
  await until('first evaluations', () => alerts.rules().every((r) => r.evaluations > 0))
  expect((await rt.request('/hello')).status).toBe(200)
  await until(
    'the webhook delivered',
    () => alerts.fired().find((a) => a.name === 'slow-hello')?.delivery === 'delivered',
  )
  expect(received.map((r) => [r.status, r.auth, r.body.name, r.body.aggregate])).toEqual([
    [500, 'Bearer s3cret', 'slow-hello', 'p95'],
    [200, 'Bearer s3cret', 'slow-hello', 'p95'],
  ])
  expect(received[1]!.body).toEqual(received[0]!.body)
  expect(received[0]!.body).toMatchObject({
    metric: 'http.server.request.duration',
    labels: { 'http.route': '/hello' },
  })
  expect(received[0]!.body.value).toBeGreaterThan(0)
  // The log rule: counter, default aggregate (increase), default action (a log line).
  const logged = await until('the log line', () =>
    rt.records.find((r) => r.msg.startsWith('alert "hello-seen" fired: motia.step.executions increase = 1')),
  )
  expect(logged.level).toBe('warn')
  // The console's API: both rules, header values redacted, both fired alerts newest first.
  const routes = alertRoutes({ rt: rt.services, logs: {} as LogBuffer, version: 'test' })
  const res = await routes['/api/alerts']!.GET!(
    Object.assign(new Request('http://127.0.0.1/api/alerts'), { params: {} }),
    new URL('http://127.0.0.1/api/alerts'),
  )
  const body = (await res.json()) as {
    enabled: boolean
    rules: { rule: { name: string; action: { headers?: Record<string, string> } } }[]
    fired: FiredAlert[]
  }
  expect(body.enabled).toBe(true)
  expect(body.rules.map((r) => r.rule.name)).toEqual(['slow-hello', 'hello-seen'])
  expect(body.rules[0]!.rule.action.headers).toEqual({ authorization: '<redacted>' })
  expect(body.fired.map((a) => a.name).sort()).toEqual(['hello-seen', 'slow-hello'])
})
