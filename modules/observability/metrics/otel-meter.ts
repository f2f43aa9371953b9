import {
  type Attributes,
  type BatchObservableCallback,
  type Counter,
  type Histogram,
  type Meter,
  type MeterProvider,
  type MetricOptions,
  metrics,
  type ObservableCallback,
  type ObservableGauge,
  type UpDownCounter,
} from '@opentelemetry/api'
import { currentExecution } from '../../../runtime/execution'
import type { Labels, MetricRegistry } from './registry'
import { SECONDS_BUCKETS } from './registry'

/** OpenTelemetry's default explicit buckets (the SDK's), for user histograms without advice. */
const DEFAULT_BUCKETS = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000]

export type UserInstrumentType = 'counter' | 'updowncounter' | 'histogram' | 'gauge'

/** One user measurement batch entry, as workers post them (plain data). */
export interface MetricPoint {
  name: string
  type: UserInstrumentType
  unit?: string
  description?: string
  buckets?: number[]
  attributes: Labels
  /** Counters: the sum since the last batch; histograms: every value; gauges: the last value. */
  values: number[]
}

/** Where measurements go: the registry (engine thread) or a batch posted to the engine (worker). */
export type MeasurementSink = (
  name: string,
  type: UserInstrumentType,
  options: MetricOptions,
  value: number,
  attributes: Attributes | undefined,
) => void

/** Attribute values as label text (OpenTelemetry allows numbers, booleans and arrays). */
export function labelsOf(attributes: Attributes | undefined): Labels {
  const out: Record<string, string> = {}
  if (attributes)
    for (const k in attributes) {
      const v = attributes[k]
      if (v !== undefined && v !== null) out[k] = Array.isArray(v) ? v.join(',') : String(v)
    }
  return out
}

function bucketsOf(options: MetricOptions): number[] {
  return options.advice?.explicitBucketBoundaries ?? (options.unit === 's' ? [...SECONDS_BUCKETS] : DEFAULT_BUCKETS)
}

/** Adds a measurement (or a worker's batch entry) to `registry`. */
export function ingest(registry: MetricRegistry, p: MetricPoint): void {
  const options = {
    ...(p.unit ? { unit: p.unit } : {}),
    ...(p.description ? { description: p.description } : {}),
    ...(p.buckets ? { buckets: p.buckets } : {}),
  }
  if (p.type === 'histogram') {
    const s = registry.histogram(p.name, options).with(p.attributes)
    if ('record' in s) for (const v of p.values) s.record(v)
    return
  }
  if (p.type === 'gauge') {
    const s = registry.gauge(p.name, options).with(p.attributes)
    if ('set' in s) s.set(p.values[p.values.length - 1] ?? 0)
    return
  }
  const inst = p.type === 'counter' ? registry.counter(p.name, options) : registry.upDownCounter(p.name, options)
  const s = inst.with(p.attributes)
  if ('add' in s) for (const v of p.values) s.add(v)
}

/** The registry measurements on the engine thread go to: the execution's runtime, else the latest. */
let fallback: MetricRegistry | undefined

export function engineSink(): MeasurementSink {
  return (name, type, options, value, attributes) => {
    const engine = currentExecution()?.engine as { metrics?: { registry: MetricRegistry } } | undefined
    const registry = engine?.metrics?.registry ?? fallback
    if (!registry) return
    ingest(registry, {
      name,
      type,
      ...(options.unit ? { unit: options.unit } : {}),
      ...(options.description ? { description: options.description } : {}),
      ...(type === 'histogram' ? { buckets: bucketsOf(options) } : {}),
      attributes: labelsOf(attributes),
      values: [value],
    })
  }
}

/**
 * A worker's measurements, summed per series and posted to the engine as one batch (`flush`,
 * called when a job ends and on a timer), never one message per measurement.
 */
export class MeasurementBatch {
  private points = new Map<string, MetricPoint>()

  /** `started`: called when an empty batch gets its first measurement (to arm a flush timer). */
  constructor(private readonly started: () => void = () => {}) {}

  readonly sink: MeasurementSink = (name, type, options, value, attributes) => {
    const labels = labelsOf(attributes)
    const key = `${name}\u0000${JSON.stringify(labels)}`
    let p = this.points.get(key)
    if (!p) {
      p = {
        name,
        type,
        ...(options.unit ? { unit: options.unit } : {}),
        ...(options.description ? { description: options.description } : {}),
        ...(type === 'histogram' ? { buckets: bucketsOf(options) } : {}),
        attributes: labels,
        values: [],
      }
      if (this.points.size === 0) this.started()
      this.points.set(key, p)
    }
    if (type === 'counter' || type === 'updowncounter') p.values[0] = (p.values[0] ?? 0) + value
    else if (type === 'gauge') p.values[0] = value
    else p.values.push(value)
  }

  /** The batch so far, emptied; undefined when there is nothing to send. */
  take(): MetricPoint[] | undefined {
    if (this.points.size === 0) return undefined
    const out = [...this.points.values()]
    this.points = new Map()
    return out
  }
}

class SinkMeter implements Meter {
  constructor(private readonly sink: () => MeasurementSink) {}

  private recorder(name: string, type: UserInstrumentType, options: MetricOptions = {}) {
    return (value: number, attributes?: Attributes) => this.sink()(name, type, options, value, attributes)
  }

  createCounter(name: string, options?: MetricOptions): Counter {
    return { add: this.recorder(name, 'counter', options) }
  }
  createUpDownCounter(name: string, options?: MetricOptions): UpDownCounter {
    return { add: this.recorder(name, 'updowncounter', options) }
  }
  createHistogram(name: string, options?: MetricOptions): Histogram {
    return { record: this.recorder(name, 'histogram', options) }
  }
  createGauge(name: string, options?: MetricOptions) {
    return { record: this.recorder(name, 'gauge', options) }
  }
  createObservableGauge(): ObservableGauge {
    return noopObservable
  }
  createObservableCounter(): ObservableGauge {
    return noopObservable
  }
  createObservableUpDownCounter(): ObservableGauge {
    return noopObservable
  }
  addBatchObservableCallback(_cb: BatchObservableCallback): void {}
  removeBatchObservableCallback(_cb: BatchObservableCallback): void {}
}

/** Observable instruments are accepted and not read (docs/observability.md says so). */
const noopObservable: ObservableGauge = {
  addCallback(_cb: ObservableCallback) {},
  removeCallback(_cb: ObservableCallback) {},
}

let sink: MeasurementSink | undefined
let registered = false

/**
 * Makes `metrics.getMeter(...)` of `@opentelemetry/api` record into motia in this thread: the
 * engine thread's registry, or a worker's batch. A project that registered its own OpenTelemetry
 * SDK first keeps it (OTel's globals accept one registration).
 */
export function registerMeterProvider(threadSink: MeasurementSink, registry?: MetricRegistry): void {
  sink = threadSink
  if (registry) fallback = registry
  if (registered) return
  registered = true
  const meter = new SinkMeter(() => sink ?? (() => {}))
  const provider: MeterProvider = { getMeter: () => meter }
  metrics.setGlobalMeterProvider(provider)
}

/** A runtime that stops no longer receives measurements made outside its executions. */
export function releaseMeterFallback(registry: MetricRegistry): void {
  if (fallback === registry) fallback = undefined
}
