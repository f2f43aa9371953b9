import type { StructuredLogger } from '../../../runtime/logger'
import type { HistogramSeries, Instrument, Labels, MetricRegistry } from './registry'

export interface OtlpMetricsOptions {
  /** The full metrics URL, e.g. `http://localhost:4318/v1/metrics`. */
  endpoint: string
  headers: Readonly<Record<string, string>>
  /** Resource attributes: `service.name`, `service.instance.id`, `service.version`. */
  resource: Readonly<Record<string, string>>
  scopeVersion: string
  /** ms between exports. */
  intervalMs: number
  log: Pick<StructuredLogger, 'info' | 'warn' | 'error'>
}

/** `observability.otlp.endpoint` names the traces URL: metrics go beside it. */
export function metricsEndpointOf(tracesEndpoint: string): string {
  return `${tracesEndpoint.replace(/\/+$/, '').replace(/\/v1\/traces$/, '')}/v1/metrics`
}

const CUMULATIVE = 2
const HEX_TRACE_ID = /^[0-9a-f]{32}$/

const nanos = (ms: number): string => (BigInt(Math.round(ms * 1000)) * 1000n).toString()
const attributes = (labels: Labels) => Object.entries(labels).map(([key, v]) => ({ key, value: { stringValue: v } }))

/**
 * Exports the registry over OTLP/HTTP (JSON encoding) every `intervalMs`, with cumulative
 * temporality: each export carries the totals since the registry started, so a failed export
 * loses nothing (the next one has it all) and is not retried. Histograms carry their exemplars
 * (the trace id of the latest kept trace in each bucket). One warning per failing episode.
 */
export class OtlpMetricsExporter {
  private timer: ReturnType<typeof setInterval> | undefined
  private sending: Promise<void> | undefined
  private failing = false

  constructor(
    private readonly registry: MetricRegistry,
    private readonly opts: OtlpMetricsOptions,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      if (!this.sending) this.sending = this.export().finally(() => (this.sending = undefined))
    }, this.opts.intervalMs)
    this.timer.unref?.()
  }

  /** Stops the timer and sends the final figures. */
  async stop(): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
    await this.sending
    await this.export()
  }

  async export(): Promise<void> {
    try {
      const body = JSON.stringify(await this.request())
      const res = await fetch(this.opts.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...this.opts.headers },
        body,
        signal: AbortSignal.timeout(10_000),
      })
      await res.arrayBuffer().catch(() => undefined)
      if (!res.ok) throw new Error(`answered ${res.status}`)
      if (this.failing) this.opts.log.info(`OTLP metrics export to ${this.opts.endpoint} works again`)
      this.failing = false
    } catch (err) {
      if (!this.failing)
        this.opts.log.warn(
          `OTLP metrics export to ${this.opts.endpoint} failed: ${(err as Error).message}; the next export carries the totals`,
        )
      this.failing = true
    }
  }

  /** An `ExportMetricsServiceRequest` in OTLP's JSON encoding. */
  async request(): Promise<unknown> {
    const instruments = await this.registry.collect()
    const start = nanos(this.registry.startTime)
    const now = nanos(Date.now())
    return {
      resourceMetrics: [
        {
          resource: {
            attributes: attributes({ ...this.opts.resource, 'telemetry.sdk.name': 'motia' }),
          },
          scopeMetrics: [
            {
              scope: { name: 'motia', version: this.opts.scopeVersion },
              metrics: instruments.map((inst) => metric(inst, start, now)),
            },
          ],
        },
      ],
    }
  }
}

function metric(inst: Instrument, start: string, now: string): unknown {
  const head = { name: inst.name, description: inst.description, unit: inst.unit }
  if (inst.type === 'histogram') {
    const dataPoints = [...inst.series.values()].map((s) => histogramPoint(s as HistogramSeries, start, now))
    return { ...head, histogram: { dataPoints, aggregationTemporality: CUMULATIVE } }
  }
  const dataPoints = [...inst.series.values()].map((s) => ({
    attributes: attributes(s.labels),
    startTimeUnixNano: start,
    timeUnixNano: now,
    asDouble: (s as { value: number }).value,
  }))
  if (inst.type === 'gauge') return { ...head, gauge: { dataPoints } }
  return {
    ...head,
    sum: { dataPoints, aggregationTemporality: CUMULATIVE, isMonotonic: inst.type === 'counter' },
  }
}

function histogramPoint(s: HistogramSeries, start: string, now: string): unknown {
  const exemplars: unknown[] = []
  for (let i = 0; i < s.counts.length; i++) {
    const ex = s.exemplar(i)
    // OTLP trace ids are 16 bytes (hex here); an id given in a header may be anything.
    if (ex && HEX_TRACE_ID.test(ex.traceId))
      exemplars.push({ timeUnixNano: nanos(ex.time), asDouble: ex.value, traceId: ex.traceId })
  }
  return {
    attributes: attributes(s.labels),
    startTimeUnixNano: start,
    timeUnixNano: now,
    count: String(s.count),
    sum: s.sum,
    bucketCounts: Array.from(s.counts, (c) => String(c)),
    explicitBounds: s.bounds,
    ...(exemplars.length ? { exemplars } : {}),
  }
}
