import type { AlertAggregate, AlertOperator, AlertRule } from '../../../runtime/config/alert-schema'
import type { HistogramSeries, Instrument, MetricType } from '../metrics/registry'

/** The matching series of an instrument added up at one instant. */
export interface Sample {
  /** Epoch ms. */
  time: number
  /** Counters, up-down counters, gauges: the sum. Histograms: the observation count. */
  value: number
  /** Histograms: per-bucket counts (not cumulative), the sum, the bounds. */
  buckets?: Float64Array
  sum?: number
  bounds?: readonly number[]
}

/** Which aggregates fit which instrument types; the first is the default. */
export const AGGREGATES_OF: Record<MetricType, readonly AlertAggregate[]> = {
  counter: ['increase', 'rate', 'value'],
  updowncounter: ['value', 'avg', 'min', 'max', 'increase'],
  gauge: ['value', 'avg', 'min', 'max'],
  histogram: ['p95', 'p50', 'p90', 'p99', 'avg', 'count', 'rate'],
}

/** The rule's series of `inst` added up now. */
export function sampleOf(inst: Instrument | undefined, rule: Pick<AlertRule, 'labels'>, time: number): Sample {
  const out: Sample = { time, value: 0 }
  if (!inst) return out
  const want = Object.entries(rule.labels)
  for (const series of inst.series.values()) {
    if (!want.every(([k, v]) => series.labels[k] === v)) continue
    if (inst.type === 'histogram') {
      const h = series as HistogramSeries
      out.bounds ??= h.bounds
      out.buckets ??= new Float64Array(h.counts.length)
      // Series of one instrument share their bounds; another length is a user meter's mistake.
      if (h.counts.length !== out.buckets.length) continue
      for (let i = 0; i < h.counts.length; i++) out.buckets[i]! += h.counts[i]!
      out.sum = (out.sum ?? 0) + h.sum
      out.value += h.count
    } else out.value += (series as { value: number }).value
  }
  return out
}

/**
 * The samples a rule keeps: those inside the window and the newest one before it (the
 * baseline a counter's increase is measured from).
 */
export class AlertWindow {
  private samples: Sample[] = []

  constructor(private readonly windowMs: number) {}

  add(s: Sample): void {
    this.samples.push(s)
    const from = s.time - this.windowMs
    let keep = 0
    while (keep + 1 < this.samples.length && this.samples[keep + 1]!.time <= from) keep++
    if (keep > 0) this.samples = this.samples.slice(keep)
  }

  /** The window's figure; undefined when there is none (no observation in a histogram's window). */
  reduce(aggregate: AlertAggregate): number | undefined {
    const all = this.samples
    const last = all[all.length - 1]
    if (!last) return undefined
    const first = all[0]!
    const inWindow = all.filter((s) => s.time >= last.time - this.windowMs)
    // A counter that went down was reset (a new registry): its increase counts from zero.
    const delta = (a: number, b: number) => (b >= a ? b - a : b)
    const seconds = (last.time - first.time) / 1000
    switch (aggregate) {
      case 'value':
        return last.value
      case 'increase':
      case 'count':
        return delta(first.value, last.value)
      case 'rate':
        return seconds > 0 ? delta(first.value, last.value) / seconds : 0
      case 'min':
        return Math.min(...inWindow.map((s) => s.value))
      case 'max':
        return Math.max(...inWindow.map((s) => s.value))
      case 'avg': {
        if (last.buckets) {
          const n = delta(first.value, last.value)
          return n > 0 ? ((last.sum ?? 0) - (first.sum ?? 0)) / n : undefined
        }
        return inWindow.reduce((t, s) => t + s.value, 0) / inWindow.length
      }
      default:
        return quantile(Number(aggregate.slice(1)) / 100, first, last)
    }
  }
}

/**
 * A quantile of the observations between two histogram samples, interpolated inside its bucket
 * as Prometheus' `histogram_quantile` does (the +Inf bucket answers its lower bound).
 */
export function quantile(q: number, first: Sample, last: Sample): number | undefined {
  const bounds = last.bounds
  if (!last.buckets || !bounds) return undefined
  const counts = Array.from(last.buckets, (c, i) => c - (first.buckets?.[i] ?? 0))
  if (counts.some((c) => c < 0)) counts.splice(0, counts.length, ...last.buckets)
  const total = counts.reduce((a, b) => a + b, 0)
  if (total === 0) return undefined
  const rank = q * total
  let seen = 0
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!
    if (seen + c >= rank && c > 0) {
      if (i === bounds.length) return bounds[bounds.length - 1]
      const lower = i === 0 ? 0 : bounds[i - 1]!
      return lower + (bounds[i]! - lower) * ((rank - seen) / c)
    }
    seen += c
  }
  return bounds[bounds.length - 1]
}

export function holds(value: number, operator: AlertOperator, threshold: number): boolean {
  switch (operator) {
    case '>':
      return value > threshold
    case '>=':
      return value >= threshold
    case '<':
      return value < threshold
    case '<=':
      return value <= threshold
    case '==':
      return value === threshold
    case '!=':
      return value !== threshold
  }
}
