/// <reference lib="dom" />
import type { LogLevel } from '../../../../runtime/logger'
import type { BufferedLog } from '../../log-buffer'
import { api } from '../api'
import { formatTime, h, jsonView } from '../dom'
import { hashFor, pageHeader, type View } from '../view'

const LEVELS: LogLevel[] = ['debug', 'info', 'warn', 'error']
const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 }
const MAX_ROWS = 2000

/** Logs: the recent records, then a live tail; filter by level, step, trace and text. */
export async function logsPage(view: View): Promise<void> {
  const project = await view.project()
  if (!view.alive()) return
  const p = view.params
  const level = h(
    'select',
    { name: 'level', 'aria-label': 'minimum level' },
    LEVELS.map((l) => h('option', { value: l, selected: l === (p.level ?? 'debug') }, `${l} and above`)),
  )
  const step = h(
    'select',
    { name: 'step', 'aria-label': 'step' },
    h('option', { value: '' }, 'All steps'),
    project.manifest.steps.map((s) => h('option', { value: s.name, selected: s.name === p.step }, s.name)),
  )
  const trace = h('input', {
    name: 'traceId',
    placeholder: 'trace id',
    value: p.traceId ?? '',
    'aria-label': 'trace id',
    class: 'mono',
  })
  const text = h('input', {
    name: 'q',
    type: 'search',
    placeholder: 'Search messages…',
    value: p.q ?? '',
    'aria-label': 'search',
  })
  const pause = h('button', { class: 'btn', type: 'button', 'aria-pressed': 'false' }, 'Pause')
  const clear = h('button', { class: 'btn', type: 'button' }, 'Clear')
  const count = h('span', { class: 'muted count-label' })
  const tbody = h('tbody')
  const scroller = h('div', { class: 'panel log-scroll' }, h('table', { class: 'table logs-table live' }, tbody))
  view.root.append(
    pageHeader('Logs', 'Live tail of every log record: steps, the runtime and its modules'),
    h('div', { class: 'toolbar' }, level, step, trace, text, pause, clear, count),
    scroller,
  )

  let paused = false
  let lastSeq = 0
  const matches = (r: BufferedLog) =>
    RANK[r.level] >= RANK[level.value as LogLevel] &&
    (!step.value || r.step === step.value) &&
    (!trace.value.trim() || r.traceId === trace.value.trim()) &&
    (!text.value || r.msg.toLowerCase().includes(text.value.toLowerCase()))
  const updateCount = () => {
    count.textContent = `${tbody.childElementCount} records${paused ? ' · paused' : ''}`
  }
  const add = (records: BufferedLog[]) => {
    const atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 40
    for (const r of records) {
      if (r.seq <= lastSeq) continue
      lastSeq = r.seq
      if (matches(r)) tbody.append(row(r))
    }
    while (tbody.childElementCount > MAX_ROWS) tbody.firstElementChild!.remove()
    if (atBottom) scroller.scrollTop = scroller.scrollHeight
    updateCount()
  }
  const load = async () => {
    const res = await api.get<{ records: BufferedLog[] }>('/api/logs', {
      level: level.value,
      step: step.value,
      traceId: trace.value.trim(),
      q: text.value,
      limit: 1000,
    })
    if (!view.alive()) return
    tbody.replaceChildren()
    lastSeq = 0
    add(res.records)
    scroller.scrollTop = scroller.scrollHeight
  }
  const refilter = () => {
    history.replaceState(
      null,
      '',
      hashFor('logs', {
        level: level.value === 'debug' ? '' : level.value,
        step: step.value,
        traceId: trace.value.trim(),
        q: text.value,
      }),
    )
    void load()
  }
  for (const el of [level, step]) el.addEventListener('change', refilter)
  for (const el of [trace, text]) el.addEventListener('change', refilter)
  pause.addEventListener('click', () => {
    paused = !paused
    pause.textContent = paused ? 'Resume' : 'Pause'
    pause.setAttribute('aria-pressed', String(paused))
    if (!paused) void load()
    updateCount()
  })
  clear.addEventListener('click', () => {
    tbody.replaceChildren()
    updateCount()
  })
  view.cleanup(view.live.on('log', (e) => !paused && add([e.record])))
  await load()
}

function row(r: BufferedLog): HTMLTableRowElement {
  return h(
    'tr',
    { class: `level-${r.level}`, 'data-level': r.level, 'data-step': r.step },
    h('td', { class: 'nowrap muted mono' }, formatTime(r.time)),
    h('td', null, h('span', { class: `level ${r.level}` }, r.level)),
    h(
      'td',
      { class: 'nowrap' },
      r.step ? h('a', { href: hashFor('logs', { step: r.step }) }, r.step) : h('span', { class: 'muted' }, 'runtime'),
    ),
    h('td', { class: 'msg' }, h('span', null, r.msg), r.fields && jsonView(r.fields, { compact: true })),
    h(
      'td',
      { class: 'nowrap mono' },
      r.traceId && h('a', { href: hashFor(`traces/${r.traceId}`), title: r.traceId }, r.traceId.slice(0, 8)),
    ),
  )
}
