/// <reference lib="dom" />
import type { MetricsAnswer } from '../live-metrics'
import type { RouteFigures, SubscriptionFigures } from '../metrics-history'
import { formatDuration, h, s } from './dom'
import { hashFor, type View } from './view'

export type { MetricsAnswer, RouteFigures, SubscriptionFigures }

/**
 * Draws the figures as the live socket brings them while the page is shown: at once when the
 * page subscribes, then whenever they move (a request, a message, the minute). No polling.
 */
export function liveMetrics(view: View, draw: (m: MetricsAnswer) => void): void {
  view.cleanup(view.live.on('metrics', (e) => view.alive() && draw(e.metrics)))
}

export const routeKey = (r: Pick<RouteFigures, 'method' | 'route'>) => `${r.method} ${r.route}`

/** Seconds as the console shows durations; `—` without data. */
export function seconds(v: number | null | undefined): string {
  return v === null || v === undefined ? '—' : formatDuration(v * 1000)
}

/** Requests per second, or per minute when under one a second. */
export function rate(perSecond: number): string {
  if (perSecond === 0) return '0'
  if (perSecond >= 1) return `${perSecond < 10 ? perSecond.toFixed(2) : Math.round(perSecond)}/s`
  const perMinute = perSecond * 60
  return `${perMinute < 10 ? perMinute.toFixed(1) : Math.round(perMinute)}/min`
}

/** A trace link for an exemplar: the cell's text opens that trace on the Traces page. */
export function traceLink(text: string, traceId: string | undefined, attrs: Record<string, unknown> = {}): Node {
  if (!traceId) return h('span', attrs, text)
  return h('a', { href: hashFor(`traces/${traceId}`), title: `open trace ${traceId.slice(0, 8)}`, ...attrs }, text)
}

/** A small line chart of one value per minute (null: no data that minute, a gap). */
export function sparkline(
  values: (number | null)[],
  opts: { kind?: 'count' | 'latency' | 'depth'; label: string; max?: number } = { label: '' },
): SVGSVGElement {
  const w = 120
  const hgt = 26
  const n = Math.max(values.length, 2)
  const max = opts.max ?? Math.max(1e-9, ...values.map((v) => v ?? 0))
  const x = (i: number) => (w * i) / (n - 1)
  const y = (v: number) => hgt - 2 - ((hgt - 4) * v) / max
  const segments: string[] = []
  let current = ''
  values.forEach((v, i) => {
    if (v === null) {
      if (current) segments.push(current)
      current = ''
      return
    }
    current += `${current ? ' L' : 'M'}${x(i).toFixed(1)} ${y(v).toFixed(1)}`
  })
  if (current) segments.push(current)
  const last = values.length - 1
  const lastValue = values[last]
  return s(
    'svg',
    {
      class: ['spark', `spark-${opts.kind ?? 'count'}`],
      viewBox: `0 0 ${w} ${hgt}`,
      width: w,
      height: hgt,
      role: 'img',
      'aria-label': opts.label,
      'data-points': values.length,
    },
    s('title', null, opts.label),
    s('line', { class: 'spark-base', x1: 0, x2: w, y1: hgt - 1.5, y2: hgt - 1.5 }),
    segments.map((d) => s('path', { d })),
    lastValue !== null && lastValue !== undefined && s('circle', { cx: x(last), cy: y(lastValue), r: 2 }),
  )
}

/** The figures of a route inline (Endpoints list and detail). */
export function routeSummaryText(r: RouteFigures): string {
  const parts = [`${r.count} req`, `p95 ${seconds(r.p95)}`]
  if (r.errors) parts.push(`${r.errors} err`)
  return parts.join(' · ')
}
