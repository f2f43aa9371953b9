/// <reference lib="dom" />
import type { EndpointInfo } from '../../api/project'
import type { ProxiedResponse } from '../../api/request-proxy'
import { api } from '../api'
import { emptyState, formatDuration, h, jsonView, replace } from '../dom'
import { liveMetrics, type MetricsAnswer, rate, routeSummaryText, seconds, traceLink } from '../metrics-figures'
import { hashFor, pageHeader, type View } from '../view'
import { exampleOf, pathParams } from './schema-example'

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
const key = (e: EndpointInfo) => `${e.method} ${e.path}`

/** Endpoints: every HTTP route with its schemas, and a form that sends a request through the console. */
export async function endpointsPage(view: View): Promise<void> {
  const [{ endpoints }, project] = await Promise.all([
    api.get<{ endpoints: EndpointInfo[] }>('/api/endpoints'),
    view.project(),
  ])
  if (!view.alive()) return
  view.root.append(
    pageHeader(
      'Endpoints',
      `${endpoints.length} HTTP routes${project.urls.http ? ` · served on ${project.urls.http}` : ''}`,
    ),
  )
  if (endpoints.length === 0) {
    view.root.append(emptyState('No HTTP steps', 'Steps with an http trigger are listed here.'))
    return
  }
  const selected = endpoints.find((e) => key(e) === view.params.route) ?? endpoints[0]!
  const filter = h('input', {
    class: 'search',
    type: 'search',
    placeholder: 'Filter routes…',
    'aria-label': 'filter routes',
  })
  const list = h('nav', { class: 'route-list' })
  // The last hour's figures, inline: filled (and refreshed) as the live socket brings them.
  let figures: MetricsAnswer | undefined
  const figuresOf = (e: EndpointInfo) => figures?.routes.find((r) => r.method === e.method && r.route === e.path)
  const figuresBox = h('div', { class: 'endpoint-metrics', 'data-endpoint-metrics': key(selected) })
  const drawFigures = () => {
    const r = figuresOf(selected)
    if (!figures?.enabled) return replace(figuresBox)
    const cell = (label: string, value: Node | string | number, name: string) =>
      h('span', { 'data-cell': name }, h('span', { class: 'muted' }, label), h('b', null, value))
    replace(
      figuresBox,
      h('span', { class: 'muted' }, 'Last hour'),
      cell('requests', r?.count ?? 0, 'count'),
      cell('rate', rate(r?.rate ?? 0), 'rate'),
      cell('p50', seconds(r?.p50), 'p50'),
      cell('p95', seconds(r?.p95), 'p95'),
      cell('p99', traceLink(seconds(r?.p99), r?.p99Exemplar?.traceId), 'p99'),
      cell('errors', r?.errors ?? 0, 'errors'),
      h('a', { href: hashFor('metrics', { route: key(selected) }) }, 'Metrics →'),
    )
  }
  const drawList = () => {
    const q = filter.value.toLowerCase()
    replace(
      list,
      endpoints
        .filter((e) => !q || key(e).toLowerCase().includes(q) || e.step.toLowerCase().includes(q))
        .map((e) =>
          h(
            'a',
            {
              class: ['route', e === selected && 'active'],
              href: hashFor('endpoints', { route: key(e) }),
              'data-route': key(e),
            },
            h('span', { class: `method m-${e.method.toLowerCase()}` }, e.method),
            h('span', { class: 'path' }, e.path),
            h('span', { class: 'step-name' }, e.step),
            figuresOf(e) &&
              h('span', { class: 'route-metrics', 'data-route-metrics': key(e) }, routeSummaryText(figuresOf(e)!)),
            e.language === 'python' && h('span', { class: 'badge lang lang-python', 'data-language': 'python' }, 'py'),
          ),
        ),
    )
  }
  filter.addEventListener('input', drawList)
  drawList()
  view.root.append(
    h(
      'div',
      { class: 'split' },
      h('div', { class: 'panel list-panel' }, filter, list),
      endpointDetail(selected, project.tracing, figuresBox),
    ),
  )
  liveMetrics(view, (m) => {
    figures = m
    drawList()
    drawFigures()
  })
}

function endpointDetail(e: EndpointInfo, tracing: boolean, figures: HTMLElement): HTMLElement {
  const params = pathParams(e.path)
  const paramInputs = new Map(
    params.map((p) => [p, h('input', { name: `param-${p}`, placeholder: p, required: true })]),
  )
  const queryInputs = new Map(
    (e.queryParams ?? []).map((q) => {
      const name = String((q as { name?: unknown }).name ?? q)
      return [
        name,
        h('input', {
          name: `query-${name}`,
          placeholder: String((q as { description?: unknown }).description ?? name),
        }),
      ]
    }),
  )
  const extraQuery = h('input', { name: 'query', placeholder: 'key=value&other=1' })
  const headers = h('textarea', { name: 'headers', rows: 2, spellcheck: 'false', placeholder: 'x-api-key: secret' })
  const body = h('textarea', { name: 'body', rows: 8, spellcheck: 'false', class: 'code' })
  if (e.bodySchema) body.value = JSON.stringify(exampleOf(e.bodySchema), null, 2)
  const result = h('div', { class: 'response', 'data-response': '' })
  const send = h('button', { class: 'btn primary', type: 'submit' }, 'Send request')

  const form = h(
    'form',
    {
      class: 'request-form',
      onSubmit: async (ev: Event) => {
        ev.preventDefault()
        send.disabled = true
        replace(result, h('div', { class: 'muted' }, 'Sending…'))
        try {
          let path = e.path
          for (const [p, input] of paramInputs) path = path.replace(`:${p}`, encodeURIComponent(input.value))
          const q = new URLSearchParams(extraQuery.value)
          for (const [name, input] of queryInputs) if (input.value) q.set(name, input.value)
          if (q.toString()) path += `?${q}`
          const hdrs: Record<string, string> = {}
          for (const line of headers.value.split('\n')) {
            const i = line.indexOf(':')
            if (i > 0) hdrs[line.slice(0, i).trim()] = line.slice(i + 1).trim()
          }
          const withBody = WITH_BODY.has(e.method) && body.value.trim() !== ''
          if (withBody && !Object.keys(hdrs).some((k) => k.toLowerCase() === 'content-type')) {
            hdrs['content-type'] = 'application/json'
          }
          const res = await api.post<ProxiedResponse>('/api/request', {
            method: e.method,
            path,
            headers: hdrs,
            ...(withBody ? { body: body.value } : {}),
          })
          replace(result, responseView(res, tracing))
        } catch (err) {
          replace(result, h('div', { class: 'error-panel' }, (err as Error).message))
        } finally {
          send.disabled = false
        }
      },
    },
    params.length > 0 && [
      h('h3', null, 'Path parameters'),
      h(
        'div',
        { class: 'grid-form' },
        [...paramInputs].map(([p, i]) => h('label', null, p, i)),
      ),
    ],
    h('h3', null, 'Query'),
    h(
      'div',
      { class: 'grid-form' },
      [...queryInputs].map(([n, i]) => h('label', null, n, i)),
      h('label', null, 'query string', extraQuery),
    ),
    h('h3', null, 'Headers'),
    headers,
    WITH_BODY.has(e.method) && [h('h3', null, 'Body'), body],
    h('div', { class: 'form-actions' }, send),
  )

  return h(
    'section',
    { class: 'panel endpoint-detail', 'data-endpoint': key(e) },
    h(
      'div',
      { class: 'endpoint-title' },
      h('span', { class: `method m-${e.method.toLowerCase()}` }, e.method),
      h('code', null, e.path),
    ),
    h(
      'p',
      { class: 'muted' },
      'Step ',
      h('a', { href: hashFor('flows', { flow: e.flows[0] ?? '*' }) }, e.step),
      ` · ${e.file} `,
      h('span', { class: `badge lang lang-${e.language}`, 'data-language': e.language }, e.language),
      e.description ? ` — ${e.description}` : '',
    ),
    figures,
    h(
      'div',
      { class: 'endpoint-grid' },
      h('div', null, form, result),
      h(
        'div',
        { class: 'schemas' },
        h('h3', null, 'Schemas'),
        e.bodySchema === undefined &&
          e.responseSchema === undefined &&
          h('p', { class: 'muted' }, 'This route declares no schema.'),
        e.bodySchema !== undefined && h('details', { open: true }, h('summary', null, 'Body'), jsonView(e.bodySchema)),
        Object.entries(e.responseSchema ?? {}).map(([status, schema]) =>
          h('details', { open: true }, h('summary', null, `Response ${status}`), jsonView(schema)),
        ),
      ),
    ),
  )
}

function responseView(res: ProxiedResponse, tracing: boolean): HTMLElement {
  let parsed: unknown
  let isJson = false
  try {
    parsed = JSON.parse(res.body)
    isJson = true
  } catch {}
  const cls = res.status >= 500 ? 's5' : res.status >= 400 ? 's4' : res.status >= 300 ? 's3' : 's2'
  return h(
    'div',
    { class: 'response-view', 'data-status': res.status },
    h(
      'div',
      { class: 'response-meta' },
      h('span', { class: `status ${cls}` }, `${res.status} ${res.statusText}`.trim()),
      h('span', { class: 'muted' }, formatDuration(res.durationMs)),
      res.traceId &&
        (tracing
          ? h(
              'a',
              { class: 'btn small', href: hashFor(`traces/${res.traceId}`), 'data-trace-link': res.traceId },
              'View trace →',
            )
          : h('span', { class: 'muted' }, `trace ${res.traceId.slice(0, 8)}`)),
    ),
    h(
      'details',
      null,
      h('summary', null, 'Headers'),
      h(
        'table',
        { class: 'kv-table' },
        Object.entries(res.headers).map(([k, v]) => h('tr', null, h('th', null, k), h('td', null, v))),
      ),
    ),
    isJson ? jsonView(parsed) : h('pre', { class: 'json' }, res.body || '(empty body)'),
    res.truncated && h('p', { class: 'muted' }, 'The body was cut at 1 MB.'),
  )
}
