/// <reference lib="dom" />
import type { LogRecord } from '../../../../runtime/logger'
import type { ConsoleSpan, ConsoleTraceSummary } from '../../traces'
import { api } from '../api'
import { emptyState, formatDateTime, formatDuration, h, replace } from '../dom'
import { hashFor, pageHeader, throttle, type View } from '../view'
import { waterfall } from './waterfall'

function tracingOff(): HTMLElement {
  return h(
    'div',
    { class: 'tracing-off', 'data-tracing': 'off' },
    emptyState(
      'Tracing is off',
      'No observability module runs in this runtime, so executions are not recorded. ' +
        'Turn it on with observability.enabled: true in config.yaml.',
    ),
  )
}

/** Traces: recent executions, filtered by step and status, refreshed as spans arrive. */
export async function tracesPage(view: View): Promise<void> {
  const project = await view.project()
  if (!view.alive()) return
  const stepSelect = h(
    'select',
    { name: 'step', 'aria-label': 'step' },
    h('option', { value: '' }, 'All steps'),
    project.manifest.steps.map((s) => h('option', { value: s.name, selected: s.name === view.params.step }, s.name)),
  )
  const statusSelect = h(
    'select',
    { name: 'status', 'aria-label': 'status' },
    h('option', { value: '' }, 'Any status'),
    h('option', { value: 'ok', selected: view.params.status === 'ok' }, 'OK'),
    h('option', { value: 'error', selected: view.params.status === 'error' }, 'Error'),
  )
  const body = h('div', { class: 'panel' })
  view.root.append(
    pageHeader('Traces', 'Every execution: HTTP requests, messages, cron runs, state and stream triggers'),
    h('div', { class: 'toolbar' }, stepSelect, statusSelect),
    body,
  )
  const load = async () => {
    const res = await api.get<{ enabled: boolean; traces: ConsoleTraceSummary[] }>('/api/traces', {
      step: stepSelect.value,
      status: statusSelect.value,
      limit: 200,
    })
    if (!view.alive()) return
    if (!res.enabled) return replace(body, tracingOff())
    if (res.traces.length === 0)
      return replace(body, emptyState('No traces yet', 'Send a request from Endpoints and it shows up here.'))
    replace(
      body,
      h(
        'table',
        { class: 'table traces-table' },
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            ['Started', 'Name', 'Step', 'Spans', 'Duration', 'Status'].map((t, i) =>
              h('th', { class: (i === 3 || i === 4) && 'num' }, t),
            ),
          ),
        ),
        h(
          'tbody',
          null,
          res.traces.map((t) =>
            h(
              'tr',
              { class: 'clickable', 'data-trace': t.traceId, onClick: () => view.go(hashFor(`traces/${t.traceId}`)) },
              h('td', { class: 'nowrap muted' }, formatDateTime(t.start)),
              h('td', null, h('a', { href: hashFor(`traces/${t.traceId}`) }, t.name)),
              h('td', null, t.step ?? ''),
              h('td', { class: 'num' }, t.spans ?? ''),
              h('td', { class: 'num' }, formatDuration(t.durationMs)),
              h(
                'td',
                null,
                h('span', { class: `status-pill ${t.status}` }, t.status === 'unset' ? 'running' : t.status),
              ),
            ),
          ),
        ),
      ),
    )
  }
  const filter = () => {
    view.go(hashFor('traces', { step: stepSelect.value, status: statusSelect.value }))
  }
  stepSelect.addEventListener('change', filter)
  statusSelect.addEventListener('change', filter)
  const refresh = throttle(() => void load().catch(() => {}), 500)
  view.cleanup(view.live.on('span', refresh))
  await load()
}

/** One trace: its spans as a waterfall, and the logs written inside it. */
export async function traceDetailPage(view: View): Promise<void> {
  const traceId = view.params.traceId!
  const project = await view.project()
  if (!view.alive()) return
  view.root.append(
    pageHeader(
      'Trace',
      h('code', null, traceId),
      h('a', { class: 'btn', href: hashFor('traces') }, '← All traces'),
      h('a', { class: 'btn', href: hashFor('logs', { traceId }) }, 'Logs of this trace'),
    ),
  )
  if (!project.tracing) {
    view.root.append(h('div', { class: 'panel' }, tracingOff()))
    return
  }
  const body = h('div', { class: 'trace-body' })
  view.root.append(body)
  const load = async () => {
    try {
      const t = await api.get<{ spans: ConsoleSpan[]; logs: LogRecord[] }>(`/api/traces/${encodeURIComponent(traceId)}`)
      if (!view.alive()) return
      replace(body, waterfall(t.spans, t.logs))
    } catch (err) {
      if (!view.alive()) return
      // A trace sampling did not keep says why (its logs still carry the trace id: "Logs of this trace").
      const notKept = (err as { code?: string }).code === 'E_CONSOLE_TRACE_NOT_KEPT'
      replace(
        body,
        h(
          'div',
          { class: 'panel' },
          emptyState(notKept ? 'Trace not kept' : 'Trace not found', (err as Error).message),
        ),
      )
    }
  }
  const refresh = throttle(() => void load(), 300)
  view.cleanup(view.live.on('span', (e) => e.span.traceId === traceId && refresh()))
  view.cleanup(view.live.on('log', (e) => e.record.traceId === traceId && refresh()))
  await load()
}
