import { expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { MetricsApi } from '../modules/observability/metrics/metrics-module'
import { prometheusName } from '../modules/observability/metrics/prometheus-text'
import { fixtureRuntime, tempProjects } from './support/runtime'

// docs/grafana-dashboard.json queries only metrics the runtime exposes: the names come from a
// running runtime's registry (runtime, queue, worker and process instruments), never from a list.
const DASHBOARD = join(import.meta.dir, '..', 'docs', 'grafana-dashboard.json')
const project = tempProjects('motia-grafana-')

const FUNCTIONS_AND_KEYWORDS = new Set(
  'sum min max avg count rate irate increase delta histogram_quantile label_values by without on ignoring group_left group_right and or unless bool offset topk bottomk clamp_min clamp_max abs vector scalar time inf nan'.split(
    ' ',
  ),
)

/** The metric names a PromQL expression reads: identifiers outside label matchers, grouping and ranges. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:\\.|[^"\\])*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
  const names = new Set<string>()
  for (const m of bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const after = bare.slice(m.index! + m[0].length).trimStart()
    if (after.startsWith('(') || FUNCTIONS_AND_KEYWORDS.has(m[0])) continue
    names.add(m[0])
  }
  return [...names]
}

/** Every PromQL expression of the dashboard: panel targets and query variables. */
function expressions(dashboard: any): string[] {
  const out: string[] = []
  const walk = (panels: any[]) => {
    for (const p of panels ?? []) {
      for (const t of p.targets ?? []) out.push(t.expr)
      walk(p.panels)
    }
  }
  walk(dashboard.panels)
  for (const v of dashboard.templating?.list ?? []) if (v.type === 'query') out.push(v.query.query ?? v.query)
  return out
}

test('the extractor finds metric names, not functions, labels or ranges', () => {
  expect(
    metricNames(
      'histogram_quantile(0.95, sum by (le, http_route) (rate(http_server_request_duration_seconds_bucket{instance=~"$instance"}[$__rate_interval])))',
    ),
  ).toEqual(['http_server_request_duration_seconds_bucket'])
  expect(metricNames('label_values(target_info, instance)')).toEqual(['target_info', 'instance'])
})

test('every metric docs/grafana-dashboard.json queries exists in the registry', async () => {
  await using rt = await fixtureRuntime(
    project({
      'steps/hello.step.ts':
        "export const config = { name: 'Hello', triggers: [{ type: 'http', method: 'GET', path: '/hello' }] } as const\n" +
        'export const handler = async () => ({ status: 200, body: {} })\n',
    }),
    { mode: 'start' },
  )
  const { registry } = rt.services.shared.get('metrics') as MetricsApi
  const exposed = new Set(['target_info'])
  for (const inst of registry.instruments.values()) {
    const name = prometheusName(inst)
    if (inst.type === 'counter') exposed.add(`${name}_total`)
    else if (inst.type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) exposed.add(name + s)
    else exposed.add(name)
  }
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8'))
  const exprs = expressions(dashboard)
  expect(exprs.length).toBeGreaterThan(20)
  // label_values(metric, label): the second argument is a label.
  const used = new Set(
    exprs.flatMap((e) => metricNames(e.replace(/label_values\(([^,]+),\s*\w+\)/, 'label_values($1)'))),
  )
  const missing = [...used].filter((n) => !exposed.has(n))
  expect(missing).toEqual([])
  // What an operator asks first is on it.
  for (const name of [
    'http_server_request_duration_seconds_bucket',
    'http_server_request_duration_seconds_count',
    'motia_queue_depth',
    'motia_queue_wait_duration_seconds_bucket',
    'process_memory_usage_bytes',
  ])
    expect(used).toContain(name)
  expect(exprs.some((e) => e.startsWith('histogram_quantile(0.99'))).toBe(true)
  // Importable: the data source is an input of the import dialog.
  expect(dashboard.__inputs.map((i: any) => i.name)).toEqual(['DS_PROMETHEUS'])
})
