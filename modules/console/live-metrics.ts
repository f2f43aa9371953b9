import type { ServerWebSocket } from 'bun'
import { TimeSlice } from '../../runtime/time-slice'
import type { Instrument, MetricRegistry } from '../observability/metrics/registry'
import { frameOfJson } from './live-feed'
import type { MetricsHistory, MetricsSummary } from './metrics-history'

/** What `/api/metrics` answers and a `metrics` live event carries. */
export type MetricsAnswer =
  | (MetricsSummary & { enabled: true; minuteMs: number })
  | { enabled: false; routes: []; subscriptions: [] }

/** The live topic of pages that show metrics: they ask for it (`{ "subscribe": "metrics" }`). */
export const METRICS_TOPIC = 'live.metrics'

/** The figures now; `{ enabled: false }` when metrics are off. */
export async function metricsAnswer(history: MetricsHistory | undefined): Promise<MetricsAnswer> {
  if (!history) return { enabled: false, routes: [], subscriptions: [] }
  return { enabled: true, minuteMs: 60_000, ...(await history.summary()) }
}

/**
 * `JSON.stringify(answer)` a route and a subscription at a time, in slices (1,000 routes are
 * ~1.3 MB of JSON: ~60-200 ms in one call). The same JSON; keys in another order.
 */
export async function answerJson(answer: MetricsAnswer): Promise<string> {
  const { routes, subscriptions, ...rest } = answer
  const slice = new TimeSlice()
  // Appended, not `parts.join(',')`: Bun's join of 1,000 strings of 1 KB took 5-10 ms of CPU.
  const list = async (items: readonly unknown[]) => {
    let out = '['
    for (let i = 0; i < items.length; i++) {
      if (slice.due()) await slice.next()
      out += (i ? ',' : '') + JSON.stringify(items[i])
    }
    return `${out}]`
  }
  const head = JSON.stringify(rest).slice(0, -1)
  return `${head}${head.length > 1 ? ',' : ''}"routes":${await list(routes)},"subscriptions":${await list(subscriptions)}}`
}

/** The counters the console's figures are made of: any request or message moves their sum. */
const COUNTED = [
  'http.server.request.duration',
  'motia.queue.processed',
  'motia.queue.retried',
  'motia.queue.dead_lettered',
  'motia.queue.wait.duration',
]

/**
 * The Metrics page and the figures on Endpoints and Queues ride the live WebSocket: a page
 * that shows metrics subscribes (`{ "subscribe": "metrics" }`) and gets the figures at once,
 * then again on the console's tick whenever they moved (a request, a message, a queue's depth,
 * the minute's snapshot). Nothing is computed while no page shows metrics, and nothing is sent
 * while nothing moves; there is no polling.
 */
export class LiveMetrics {
  private last = ''
  /** A tick's figures are being built (in slices): the next tick skips rather than piles up. */
  private building = false

  constructor(
    private readonly history: () => MetricsHistory | undefined,
    private readonly registry: () => MetricRegistry | undefined,
    private readonly publish: (frame: string) => void,
    private readonly watchers: () => number,
  ) {}

  /** A client's message on the live socket: joining or leaving the metrics topic. */
  async message(ws: ServerWebSocket<unknown>, data: string | Buffer): Promise<void> {
    let m: { subscribe?: unknown; unsubscribe?: unknown }
    try {
      m = JSON.parse(String(data))
    } catch {
      return
    }
    if (m?.unsubscribe === 'metrics') ws.unsubscribe(METRICS_TOPIC)
    if (m?.subscribe !== 'metrics') return
    ws.subscribe(METRICS_TOPIC)
    ws.send(await this.frame())
  }

  /** Called on the console's tick: publishes the figures when they moved and a page shows them. */
  async tick(queuesMoved: boolean): Promise<void> {
    if (this.watchers() === 0 || this.building) return
    const mark = this.mark()
    if (mark === this.last && !queuesMoved) return
    this.last = mark
    this.building = true
    try {
      this.publish(await this.frame())
    } finally {
      this.building = false
    }
  }

  /** The live feed's frame of one `metrics` event. */
  private async frame(): Promise<string> {
    return frameOfJson(`{"type":"metrics","metrics":${await answerJson(await metricsAnswer(this.history()))}}`)
  }

  /** Snapshots taken and the sum of every counted series: it changes whenever a figure does. */
  private mark(): string {
    const history = this.history()
    const registry = this.registry()
    if (!history || !registry) return 'off'
    let sum = 0
    for (const name of COUNTED) {
      const inst = registry.instruments.get(name) as Instrument<'histogram'> | Instrument<'counter'> | undefined
      for (const s of inst?.series.values() ?? []) sum += 'count' in s ? s.count : s.value
    }
    return `${history.snapshots}:${sum}`
  }
}
