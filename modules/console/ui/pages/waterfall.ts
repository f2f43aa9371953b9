/// <reference lib="dom" />
import type { LogRecord } from '../../../../runtime/logger'
import type { ConsoleSpan } from '../../traces'
import { formatDuration, formatTime, h, jsonView, replace } from '../dom'
import { hashFor } from '../view'

interface Row {
  span: ConsoleSpan
  depth: number
}

/** Spans in tree order (parents before children, siblings by start time). */
export function spanRows(spans: readonly ConsoleSpan[]): Row[] {
  const ids = new Set(spans.map((s) => s.spanId))
  const children = new Map<string, ConsoleSpan[]>()
  const roots: ConsoleSpan[] = []
  for (const s of spans) {
    if (s.parentSpanId && ids.has(s.parentSpanId)) {
      const list = children.get(s.parentSpanId) ?? []
      list.push(s)
      children.set(s.parentSpanId, list)
    } else roots.push(s)
  }
  const rows: Row[] = []
  const seen = new Set<string>()
  const walk = (s: ConsoleSpan, depth: number) => {
    if (seen.has(s.spanId)) return
    seen.add(s.spanId)
    rows.push({ span: s, depth })
    for (const c of (children.get(s.spanId) ?? []).sort((a, b) => a.start - b.start)) walk(c, depth + 1)
  }
  for (const r of roots.sort((a, b) => a.start - b.start)) walk(r, 0)
  return rows
}

/** The waterfall: one row per span, bars on a shared time axis, span events as ticks; logs below. */
export function waterfall(spans: readonly ConsoleSpan[], logs: readonly LogRecord[]): HTMLElement {
  const rows = spanRows(spans)
  const t0 = Math.min(...spans.map((s) => s.start))
  const tEnd = Math.max(...spans.map((s) => s.end ?? s.start), ...logs.map((l) => l.time))
  const total = Math.max(tEnd - t0, 0.001)
  const pct = (t: number) => `${(((t - t0) / total) * 100).toFixed(3)}%`
  const failed = spans.some((s) => s.status === 'error')
  const detail = h('div', { class: 'span-detail' })

  const axis = h(
    'div',
    { class: 'wf-axis' },
    h('div', { class: 'wf-name' }, `${spans.length} spans`),
    h(
      'div',
      { class: 'wf-ticks' },
      [0, 0.25, 0.5, 0.75, 1].map((f) => h('span', { style: { left: `${f * 100}%` } }, formatDuration(total * f))),
    ),
  )
  const list = h('div', { class: 'wf-rows', role: 'list' })
  for (const { span, depth } of rows) {
    const width =
      span.end !== undefined
        ? Math.max(((span.end - span.start) / total) * 100, 0.4)
        : 100 - ((span.start - t0) / total) * 100
    const row = h(
      'div',
      {
        class: ['wf-row', `status-${span.status}`, span.end === undefined && 'open'],
        role: 'listitem',
        tabindex: 0,
        'data-span': span.name,
        'data-step': span.step,
        'data-kind': span.kind,
      },
      h(
        'div',
        { class: 'wf-name', style: { paddingLeft: `${8 + depth * 16}px` } },
        span.kind && h('span', { class: `badge kind-${span.kind}` }, span.kind),
        h('span', { class: 'span-name' }, span.name),
        span.topic && !span.name.includes(span.topic) && h('code', { class: 'span-topic' }, ` ${span.topic}`),
        span.step && span.step !== span.name && h('span', { class: 'muted' }, ` ${span.step}`),
      ),
      h(
        'div',
        { class: 'wf-track' },
        h(
          'div',
          { class: 'wf-bar', style: { left: pct(span.start), width: `${width}%` } },
          h('span', { class: 'wf-dur' }, span.end !== undefined ? formatDuration(span.end - span.start) : 'running'),
        ),
        span.events.map((e) =>
          h('i', {
            class: 'wf-event',
            style: { left: pct(e.time) },
            title: e.attributes ? `${e.name} ${JSON.stringify(e.attributes)}` : e.name,
            'data-event': e.name,
          }),
        ),
      ),
    )
    const choose = () => {
      for (const r of list.querySelectorAll('.selected')) r.classList.remove('selected')
      row.classList.add('selected')
      replace(detail, spanDetail(span, t0))
    }
    row.addEventListener('click', choose)
    row.addEventListener('keydown', (e) => e.key === 'Enter' && choose())
    list.append(row)
  }
  if (rows[0]) replace(detail, spanDetail(rows[0].span, t0))

  return h(
    'div',
    { class: 'trace-view', 'data-trace-status': failed ? 'error' : 'ok' },
    h(
      'div',
      { class: 'trace-summary' },
      h('span', { class: `status-pill ${failed ? 'error' : 'ok'}` }, failed ? 'error' : 'ok'),
      h('span', null, `started ${formatTime(t0)}`),
      h('span', null, `total ${formatDuration(tEnd - t0)}`),
      h('span', null, `${new Set(spans.map((s) => s.step).filter(Boolean)).size} steps`),
    ),
    h('div', { class: 'panel waterfall' }, axis, list),
    h('div', { class: 'panel' }, detail),
    h('div', { class: 'panel' }, h('h3', null, `Logs (${logs.length})`), traceLogs(logs, t0)),
  )
}

function spanDetail(span: ConsoleSpan, t0: number): HTMLElement {
  return h(
    'div',
    { 'data-span-detail': span.spanId },
    h('h3', null, span.name),
    h(
      'div',
      { class: 'kv-grid' },
      h('span', null, 'span'),
      h('code', null, span.spanId),
      h('span', null, 'parent'),
      h('code', null, span.parentSpanId ?? '—'),
      h('span', null, 'starts at'),
      h('span', null, `+${formatDuration(span.start - t0)}`),
      h('span', null, 'duration'),
      h('span', null, span.end !== undefined ? formatDuration(span.end - span.start) : 'running'),
      h('span', null, 'status'),
      h('span', { class: `status-pill ${span.status}` }, span.status),
      span.step && [h('span', null, 'step'), h('a', { href: hashFor('logs', { step: span.step }) }, span.step)],
    ),
    Object.keys(span.attributes).length > 0 && [h('h4', null, 'Attributes'), jsonView(span.attributes)],
    span.events.length > 0 && [
      h('h4', null, 'Events'),
      h(
        'ul',
        { class: 'events' },
        span.events.map((e) =>
          h(
            'li',
            null,
            h('span', { class: 'muted' }, `+${formatDuration(e.time - t0)} `),
            h('strong', null, e.name),
            e.attributes && jsonView(e.attributes, { compact: true }),
          ),
        ),
      ),
    ],
  )
}

function traceLogs(logs: readonly LogRecord[], t0: number): HTMLElement {
  if (logs.length === 0) return h('p', { class: 'muted' }, 'No logs were written in this trace.')
  return h(
    'table',
    { class: 'table logs-table' },
    h(
      'tbody',
      null,
      logs.map((l) =>
        h(
          'tr',
          { class: `level-${l.level}` },
          h('td', { class: 'nowrap muted' }, `+${formatDuration(l.time - t0)}`),
          h('td', null, h('span', { class: `level ${l.level}` }, l.level)),
          h('td', { class: 'nowrap' }, l.step ?? ''),
          h('td', { class: 'msg' }, l.msg, l.fields && jsonView(l.fields, { compact: true })),
        ),
      ),
    ),
  )
}
