/// <reference lib="dom" />
import type { BucketFigure } from '../../metrics-history'
import { emptyState, formatTime, h, replace } from '../dom'
import {
  liveMetrics,
  type MetricsAnswer,
  type RouteFigures,
  rate,
  routeKey,
  type SubscriptionFigures,
  seconds,
  sparkline,
  traceLink,
} from '../metrics-figures'
import { hashFor, pageHeader, type View } from '../view'

/**
 * Metrics: per route rate, p50/p95/p99 and errors over the last hour with a point per minute;
 * a route's latency histogram whose bars open a trace that fell in them (exemplars); queue depth,
 * lag and throughput per subscription. Live: the socket brings new figures as they move.
 */
export async function metricsPage(view: View): Promise<void> {
  const subtitle = h('span', null, 'Last hour, per minute')
  const cards = h('div', { class: 'stat-cards' })
  const routesBox = h('div', { class: 'panel' })
  const detailBox = h('div', { class: 'panel', hidden: true })
  const queuesBox = h('div', { class: 'panel' })
  view.root.append(pageHeader('Metrics', subtitle), cards, routesBox, detailBox, queuesBox)
  let selected = view.params.route ?? ''

  const draw = (m: MetricsAnswer) => {
    if (!m.enabled) {
      cards.remove()
      detailBox.remove()
      queuesBox.remove()
      replace(
        routesBox,
        emptyState('Metrics are off', 'Set observability.metrics.enabled: true in config.yaml (it is on by default).'),
      )
      return
    }
    const minutes = Math.max(1, Math.round(m.window.seconds / 60))
    subtitle.textContent = `Since ${formatTime(m.window.from).slice(0, 5)} (${minutes} min) · a point per minute · updated ${formatTime(m.window.to).slice(0, 8)}`
    const total = (k: 'count' | 'errors' | 'clientErrors') => m.routes.reduce((s, r) => s + r[k], 0)
    const depth = m.subscriptions.reduce((s, x) => s + x.depth, 0)
    replace(
      cards,
      (
        [
          ['requests', total('count'), 'requests'],
          ['rate', rate(total('count') / m.window.seconds), 'request rate'],
          ['errors', total('errors'), 'server errors (5xx)'],
          ['depth', depth, 'messages waiting'],
        ] as const
      ).map(([k, v, label]) =>
        h(
          'div',
          { class: ['stat', k === 'errors' && total('errors') > 0 && 'alert'], 'data-stat': k },
          h('b', null, v),
          h('span', null, label),
        ),
      ),
    )
    drawRoutes(m)
    drawQueues(m.subscriptions)
  }

  const select = (key: string, m: MetricsAnswer) => {
    selected = key
    history.replaceState(null, '', hashFor('metrics', { route: key }))
    drawRoutes(m)
  }

  const drawRoutes = (m: MetricsAnswer) => {
    if (m.routes.length === 0) {
      replace(routesBox, emptyState('No requests yet', 'HTTP requests are counted here per route.'))
      detailBox.hidden = true
      return
    }
    const maxCount = Math.max(1, ...m.routes.flatMap((r) => r.points.count))
    replace(
      routesBox,
      h('h3', null, 'HTTP routes'),
      h(
        'table',
        { class: 'table metrics-table' },
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            ['Route', 'Requests', 'Rate', 'p50', 'p95', 'p99', 'Errors', 'Requests / min', 'p95 / min'].map((t, i) =>
              h('th', { class: i > 0 && i < 7 && 'num' }, t),
            ),
          ),
        ),
        h(
          'tbody',
          null,
          m.routes.map((r) =>
            h(
              'tr',
              {
                class: ['clickable', routeKey(r) === selected && 'selected'],
                'data-metrics-route': routeKey(r),
                onClick: (e: Event) => {
                  if ((e.target as Element).closest('a')) return
                  select(routeKey(r), m)
                },
              },
              h(
                'td',
                null,
                h('span', { class: `method m-${r.method.toLowerCase()}` }, r.method),
                ' ',
                h('code', null, r.route || '(no route)'),
              ),
              h('td', { class: 'num', 'data-cell': 'count' }, r.count),
              h('td', { class: 'num', 'data-cell': 'rate' }, rate(r.rate)),
              h('td', { class: 'num', 'data-cell': 'p50' }, seconds(r.p50)),
              h('td', { class: 'num', 'data-cell': 'p95' }, seconds(r.p95)),
              h(
                'td',
                { class: 'num', 'data-cell': 'p99' },
                traceLink(seconds(r.p99), r.p99Exemplar?.traceId, { 'data-exemplar': r.p99Exemplar?.traceId }),
              ),
              h(
                'td',
                { class: ['num', r.errors > 0 && 'alert-text'], 'data-cell': 'errors' },
                r.errors,
                r.clientErrors > 0 && h('span', { class: 'muted small' }, ` · ${r.clientErrors} 4xx`),
              ),
              h(
                'td',
                null,
                sparkline(r.points.count, { label: `requests per minute, ${r.points.count.join(' ')}`, max: maxCount }),
                r.errors > 0 &&
                  sparkline(r.points.errors, { kind: 'latency', label: 'errors per minute', max: maxCount }),
              ),
              h('td', null, sparkline(r.points.p95, { kind: 'latency', label: 'p95 latency per minute' })),
            ),
          ),
        ),
      ),
    )
    const route = m.routes.find((r) => routeKey(r) === selected)
    detailBox.hidden = !route
    if (route) replace(detailBox, routeDetail(route))
  }

  const drawQueues = (subs: SubscriptionFigures[]) => {
    if (subs.length === 0)
      return replace(queuesBox, emptyState('No subscriptions', 'Steps with a queue trigger subscribe to topics.'))
    replace(
      queuesBox,
      h('h3', null, 'Queues'),
      h(
        'table',
        { class: 'table metrics-table' },
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            [
              'Topic',
              'Subscription',
              'Depth',
              'In flight',
              'Processed',
              'Retried',
              'Dead-lettered',
              'Lag p50',
              'Lag p95',
              'Depth / min',
              'Processed / min',
            ].map((t, i) => h('th', { class: i > 1 && i < 9 && 'num' }, t)),
          ),
        ),
        h(
          'tbody',
          null,
          subs.map((q) =>
            h(
              'tr',
              { 'data-metrics-subscription': q.subscription },
              h('td', null, h('code', null, q.topic)),
              h(
                'td',
                { class: 'muted' },
                h('a', { href: hashFor('queues', { subscription: q.subscription }) }, q.subscription),
              ),
              h('td', { class: 'num', 'data-cell': 'depth' }, q.depth),
              h('td', { class: 'num' }, q.inFlight),
              h('td', { class: 'num', 'data-cell': 'processed' }, q.processed),
              h('td', { class: 'num' }, q.retried),
              h('td', { class: ['num', q.deadLettered > 0 && 'alert-text'] }, q.deadLettered),
              h('td', { class: 'num' }, seconds(q.lagP50)),
              h('td', { class: 'num', 'data-cell': 'lag' }, seconds(q.lagP95)),
              h('td', null, sparkline(q.points.depth, { kind: 'depth', label: 'depth per minute' })),
              h('td', null, sparkline(q.points.processed, { label: 'processed per minute' })),
            ),
          ),
        ),
      ),
    )
  }

  liveMetrics(view, draw)
}

const bucketLabel = (b: BucketFigure, prev: BucketFigure | undefined) =>
  b.le === null ? `> ${seconds(prev?.le ?? 0)}` : `≤ ${seconds(b.le)}`

/** One route: its latency histogram over the hour; a bar with an exemplar opens that trace. */
function routeDetail(r: RouteFigures): HTMLElement {
  // Up to the slowest bucket with requests (or an exemplar), at least to 100 ms.
  let last = r.buckets.findLastIndex((b) => b.count > 0 || b.exemplar)
  last = Math.max(
    last,
    r.buckets.findIndex((b) => b.le !== null && b.le >= 0.1),
  )
  const shown = r.buckets.slice(0, last + 1)
  const max = Math.max(1, ...shown.map((b) => b.count))
  return h(
    'section',
    { class: 'route-metrics-detail', 'data-metrics-detail': routeKey(r) },
    h(
      'div',
      { class: 'section-head' },
      h(
        'h3',
        null,
        'Latency of ',
        h('span', { class: `method m-${r.method.toLowerCase()}` }, r.method),
        ' ',
        h('code', null, r.route || '(no route)'),
      ),
      h(
        'span',
        { class: 'muted small' },
        'A filled bar opens the trace of the latest kept request that fell in it · ',
        h('a', { href: hashFor('endpoints', { route: routeKey(r) }) }, 'endpoint →'),
      ),
    ),
    h(
      'div',
      { class: 'histogram', role: 'list' },
      shown.map((b, i) => {
        const bar = h(
          'div',
          { class: 'hbar-col' },
          h('span', { class: 'hbar-count' }, b.count || ''),
          h('div', { class: 'hbar', style: { height: `${Math.max(b.count ? 4 : 1, (100 * b.count) / max)}%` } }),
        )
        const label = h('span', { class: 'hbar-label' }, bucketLabel(b, shown[i - 1]))
        const title = `${b.count} request${b.count === 1 ? '' : 's'} ${bucketLabel(b, shown[i - 1])}`
        const attrs = {
          class: ['hbucket', b.exemplar && 'has-exemplar'],
          role: 'listitem',
          'data-bucket': b.le ?? '+Inf',
        }
        return b.exemplar
          ? h(
              'a',
              {
                ...attrs,
                href: hashFor(`traces/${b.exemplar.traceId}`),
                'data-exemplar': b.exemplar.traceId,
                title: `${title} · trace ${b.exemplar.traceId.slice(0, 8)} took ${seconds(b.exemplar.value)}`,
              },
              bar,
              label,
            )
          : h('div', { ...attrs, title }, bar, label)
      }),
    ),
  )
}
