/// <reference lib="dom" />
import type { DeadLetter, SubscriptionStats } from '../../../queue/adapter'
import { api } from '../api'
import { confirmButton, emptyState, formatDateTime, h, jsonView, replace, toast } from '../dom'
import { liveMetrics, type MetricsAnswer, seconds } from '../metrics-figures'
import { hashFor, pageHeader, throttle, type View } from '../view'

/** Queues: depth and in-flight per subscription (live), dead letters to retry or drop. */
export async function queuesPage(view: View): Promise<void> {
  const statsBox = h('div', { class: 'panel' })
  const deadBox = h('div', { class: 'panel' })
  const adapterLabel = h('span')
  view.root.append(pageHeader('Queues', adapterLabel), statsBox, deadBox)
  let subscription = view.params.subscription ?? ''
  let stats: SubscriptionStats[] = []
  /** The last hour's throughput and lag per subscription (/api/metrics), inline. */
  let figures: MetricsAnswer | undefined
  const figuresOf = (s: SubscriptionStats) =>
    figures?.subscriptions.find((f) => f.topic === s.topic && f.subscription === s.subscription)

  const drawStats = () => {
    if (stats.length === 0)
      return replace(statsBox, emptyState('No subscriptions', 'Steps with a queue trigger subscribe to topics.'))
    // null: the backend cannot tell (RabbitMQ's in flight and delayed seen from outside a server).
    const total = (k: 'ready' | 'delayed' | 'inFlight' | 'dead') =>
      stats.some((x) => x[k] === null) ? 'n/a' : stats.reduce((s, x) => s + (x[k] ?? 0), 0)
    replace(
      statsBox,
      h(
        'div',
        { class: 'stat-cards' },
        (
          [
            ['ready', 'waiting'],
            ['delayed', 'delayed / retrying'],
            ['inFlight', 'in flight'],
            ['dead', 'dead letters'],
          ] as const
        ).map(([k, label]) =>
          h(
            'div',
            { class: ['stat', k === 'dead' && Number(total(k)) > 0 && 'alert'], 'data-stat': k },
            h('b', null, total(k)),
            h('span', null, label),
          ),
        ),
      ),
      h(
        'table',
        { class: 'table' },
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            ['Topic', 'Subscription', 'Ready', 'Delayed', 'In flight', 'Dead', 'Processed (1 h)', 'Lag p95'].map(
              (t, i) => h('th', { class: i > 1 && 'num' }, t),
            ),
          ),
        ),
        h(
          'tbody',
          null,
          stats.map((s) =>
            h(
              'tr',
              { 'data-subscription': s.subscription, class: 'clickable', onClick: () => filterDead(s.subscription) },
              h('td', null, h('code', null, s.topic)),
              h('td', { class: 'muted' }, s.subscription),
              h('td', { class: 'num' }, s.ready),
              h('td', { class: 'num' }, s.delayed ?? 'n/a'),
              h('td', { class: 'num' }, s.inFlight ?? 'n/a'),
              h('td', { class: ['num', s.dead > 0 && 'alert-text'] }, s.dead),
              h('td', { class: 'num', 'data-cell': 'processed' }, figuresOf(s)?.processed ?? '—'),
              h('td', { class: 'num', 'data-cell': 'lag' }, seconds(figuresOf(s)?.lagP95)),
            ),
          ),
        ),
      ),
    )
  }

  const loadDead = async () => {
    const { deadLetters } = await api.get<{ deadLetters: DeadLetter[] }>('/api/queues/dead-letters', {
      subscription,
      limit: 200,
    })
    if (!view.alive()) return
    const selected = new Set<string>()
    const act = async (what: 'retry' | 'drop', ids: string[] | 'all') => {
      const { count } = await api.post<{ count: number }>(`/api/queues/dead-letters/${what}`, {
        ids,
        ...(subscription ? { subscription } : {}),
      })
      toast(`${what === 'retry' ? 'Retried' : 'Dropped'} ${count} message${count === 1 ? '' : 's'}`)
      await Promise.all([loadDead(), loadStats()])
    }
    const subSelect = h(
      'select',
      { 'aria-label': 'subscription', onChange: (e: Event) => filterDead((e.target as HTMLSelectElement).value) },
      h('option', { value: '' }, 'All subscriptions'),
      stats.map((s) =>
        h('option', { value: s.subscription, selected: s.subscription === subscription }, s.subscription),
      ),
    )
    replace(
      deadBox,
      h(
        'div',
        { class: 'section-head' },
        h('h3', null, `Dead letters (${deadLetters.length})`),
        h(
          'div',
          { class: 'actions' },
          subSelect,
          h(
            'button',
            { class: 'btn', type: 'button', onClick: () => selected.size && act('retry', [...selected]) },
            'Retry selected',
          ),
          h(
            'button',
            { class: 'btn', type: 'button', onClick: () => selected.size && act('drop', [...selected]) },
            'Drop selected',
          ),
          deadLetters.length > 0 &&
            h('button', { class: 'btn', type: 'button', onClick: () => act('retry', 'all') }, 'Retry all'),
          deadLetters.length > 0 && confirmButton('Drop all', () => act('drop', 'all')),
        ),
      ),
      deadLetters.length === 0
        ? emptyState('No dead letters', 'Messages that fail all their retries land here.')
        : h(
            'table',
            { class: 'table dead-table' },
            h(
              'thead',
              null,
              h(
                'tr',
                null,
                ['', 'Failed', 'Topic', 'Attempts', 'Why', 'Trace', 'Data'].map((t) => h('th', null, t)),
              ),
            ),
            h(
              'tbody',
              null,
              deadLetters.map((d) =>
                h(
                  'tr',
                  { 'data-dead': d.id },
                  h(
                    'td',
                    null,
                    h('input', {
                      type: 'checkbox',
                      'aria-label': `select ${d.id}`,
                      onChange: (e: Event) =>
                        (e.target as HTMLInputElement).checked ? selected.add(d.id) : selected.delete(d.id),
                    }),
                  ),
                  h('td', { class: 'nowrap muted' }, formatDateTime(d.failedAt)),
                  h('td', null, h('code', null, d.topic), h('div', { class: 'muted small' }, d.subscription)),
                  h('td', { class: 'num' }, d.attempts),
                  h(
                    'td',
                    null,
                    h('div', null, d.reason),
                    d.error && h('div', { class: 'alert-text small' }, `${d.error.name}: ${d.error.message}`),
                  ),
                  h('td', { class: 'mono' }, h('a', { href: hashFor(`traces/${d.traceId}`) }, d.traceId.slice(0, 8))),
                  h('td', null, h('details', null, h('summary', null, 'data'), jsonView(d.data))),
                ),
              ),
            ),
          ),
    )
  }
  const loadStats = async () => {
    const res = await api.get<{ adapter: string; stats: SubscriptionStats[] }>('/api/queues')
    adapterLabel.textContent = `Durable queue (${res.adapter}) · at-least-once delivery`
    stats = res.stats
    if (view.alive()) drawStats()
  }
  const filterDead = (s: string) => {
    subscription = s
    history.replaceState(null, '', hashFor('queues', { subscription: s }))
    void loadDead()
  }
  const refreshDead = throttle(() => void loadDead(), 500)
  view.cleanup(
    view.live.on('queues', (e) => {
      const deadBefore = stats.reduce((s, x) => s + x.dead, 0)
      stats = e.stats
      drawStats()
      if (stats.reduce((s, x) => s + x.dead, 0) !== deadBefore) refreshDead()
    }),
  )
  await loadStats()
  await loadDead()
  liveMetrics(view, (m) => {
    figures = m
    drawStats()
  })
}
