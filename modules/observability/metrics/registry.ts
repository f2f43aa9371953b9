/**
 * The metrics store: counters, up-down counters, gauges (set or observed when read) and
 * histograms with fixed buckets and exemplars. Small on purpose: the HTTP hot path resolves
 * its series once per route (router build) and then only adds numbers in place, with no
 * allocation, no label hashing and no lookup per request (see docs/observability.md for the
 * comparison with @opentelemetry/sdk-metrics and prom-client that chose it).
 */

export type MetricType = 'counter' | 'updowncounter' | 'gauge' | 'histogram'
export type Labels = Readonly<Record<string, string>>

/** Series past this many in one instrument fold into one overflow series (OpenTelemetry's rule). */
export const MAX_SERIES = 2000
export const OVERFLOW_LABELS: Labels = Object.freeze({ 'otel.metric.overflow': 'true' })

/** Seconds: OpenTelemetry's advice for `http.server.request.duration`. */
export const SECONDS_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
]

export interface InstrumentOptions {
  description?: string
  /** UCUM: `s`, `By`, `1`, `{request}`... */
  unit?: string
  /** Histograms: upper bounds, ascending (the +Inf bucket is implied). */
  buckets?: readonly number[]
  /**
   * Series kept before the overflow series takes the rest (default MAX_SERIES). Runtime
   * instruments whose labels the project bounds (routes, steps) allow more.
   */
  maxSeries?: number
}

export class CounterSeries {
  value = 0
  constructor(readonly labels: Labels) {}
  add(n = 1): void {
    this.value += n
  }
}

/** A gauge set in place (`set`/`add`); observable gauges are read through their callback instead. */
export class GaugeSeries {
  value = 0
  constructor(readonly labels: Labels) {}
  set(v: number): void {
    this.value = v
  }
  add(n: number): void {
    this.value += n
  }
}

export interface Exemplar {
  traceId: string
  value: number
  /** Epoch ms. */
  time: number
}

export class HistogramSeries {
  /** Per bucket (not cumulative); the last is +Inf. */
  readonly counts: Float64Array
  sum = 0
  count = 0
  /** The last traced observation of each bucket: value and time, trace id beside. */
  private readonly exValues: Float64Array
  private readonly exTraces: (string | undefined)[]

  constructor(
    readonly labels: Labels,
    readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1)
    this.exValues = new Float64Array((bounds.length + 1) * 2)
    this.exTraces = new Array(bounds.length + 1).fill(undefined)
  }

  /** `time` (epoch ms) is only read with a trace id: the exemplar's time. */
  record(v: number, traceId?: string, time?: number): void {
    const b = this.bounds
    let i = 0
    while (i < b.length && v > b[i]!) i++
    this.counts[i]!++
    this.sum += v
    this.count++
    if (traceId !== undefined) {
      this.exTraces[i] = traceId
      this.exValues[i * 2] = v
      this.exValues[i * 2 + 1] = time ?? Date.now()
    }
  }

  exemplar(bucket: number): Exemplar | undefined {
    const traceId = this.exTraces[bucket]
    if (traceId === undefined) return undefined
    return { traceId, value: this.exValues[bucket * 2]!, time: this.exValues[bucket * 2 + 1]! }
  }
}

type SeriesOf<T extends MetricType> = T extends 'histogram'
  ? HistogramSeries
  : T extends 'gauge'
    ? GaugeSeries
    : CounterSeries

/** One named instrument and its series, keyed by label values. */
export class Instrument<T extends MetricType = MetricType> {
  readonly series = new Map<string, SeriesOf<T>>()
  /** Observable instruments: read when collected. */
  callbacks: ((observe: (value: number, labels?: Labels) => void) => void)[] = []

  constructor(
    readonly name: string,
    readonly type: T,
    readonly options: InstrumentOptions,
  ) {}

  get unit(): string {
    return this.options.unit ?? ''
  }

  get description(): string {
    return this.options.description ?? ''
  }

  /** The series of `labels`, made on first use (resolve it once where the path is hot). */
  with(labels: Labels = {}): SeriesOf<T> {
    const key = labelKey(labels)
    let s = this.series.get(key)
    if (s) return s
    if (this.series.size >= (this.options.maxSeries ?? MAX_SERIES)) {
      const overflow = labelKey(OVERFLOW_LABELS)
      s = this.series.get(overflow)
      if (s) return s
      labels = OVERFLOW_LABELS
      s = this.make(labels)
      this.series.set(overflow, s)
      return s
    }
    s = this.make(Object.freeze({ ...labels }))
    this.series.set(key, s)
    return s
  }

  private make(labels: Labels): SeriesOf<T> {
    if (this.type === 'histogram')
      return new HistogramSeries(labels, this.options.buckets ?? SECONDS_BUCKETS) as SeriesOf<T>
    if (this.type === 'gauge') return new GaugeSeries(labels) as SeriesOf<T>
    return new CounterSeries(labels) as SeriesOf<T>
  }
}

function labelKey(labels: Labels): string {
  let key = ''
  for (const k of Object.keys(labels).sort()) key += `${k}\u0000${labels[k]}\u0001`
  return key
}

/** Where `series` lists an observable instrument's values, as read now. */
export interface CollectedSeries {
  labels: Labels
  value: number
}

/**
 * Every instrument of a runtime: runtime metrics and user metrics (`@opentelemetry/api`,
 * workers, Python) in one place. Lives in the runtime, so a `motia dev` reload keeps the counts.
 */
export class MetricRegistry {
  readonly instruments = new Map<string, Instrument>()
  /** Epoch ms: where every cumulative series starts (OTLP's `startTimeUnixNano`). */
  readonly startTime = Date.now()
  /** Read before every collection (process figures, queue depths). */
  private readonly beforeCollect = new Set<() => void | Promise<void>>()

  counter(name: string, options: InstrumentOptions = {}): Instrument<'counter'> {
    return this.instrument(name, 'counter', options)
  }

  upDownCounter(name: string, options: InstrumentOptions = {}): Instrument<'updowncounter'> {
    return this.instrument(name, 'updowncounter', options)
  }

  gauge(name: string, options: InstrumentOptions = {}): Instrument<'gauge'> {
    return this.instrument(name, 'gauge', options)
  }

  histogram(name: string, options: InstrumentOptions = {}): Instrument<'histogram'> {
    return this.instrument(name, 'histogram', options)
  }

  /** Runs `fn` before every read (it may set gauges); returns its removal. */
  onCollect(fn: () => void | Promise<void>): () => void {
    this.beforeCollect.add(fn)
    return () => this.beforeCollect.delete(fn)
  }

  /** Brings observed values up to date; then `instruments` is what a reader exports. */
  async collect(): Promise<Instrument[]> {
    await Promise.all([...this.beforeCollect].map(async (fn) => fn()))
    for (const inst of this.instruments.values()) {
      if (inst.callbacks.length === 0) continue
      for (const cb of inst.callbacks)
        cb((value, labels) => {
          ;(inst.with(labels) as CounterSeries | GaugeSeries).value = value
        })
    }
    return [...this.instruments.values()].filter((i) => i.series.size > 0)
  }

  /**
   * The instrument named `name`, made on first use. Asking again with another type keeps the
   * first (a user meter reusing a runtime name must not break the runtime's series).
   */
  private instrument<T extends MetricType>(name: string, type: T, options: InstrumentOptions): Instrument<T> {
    const known = this.instruments.get(name)
    if (known) return known as Instrument<T>
    const inst = new Instrument(name, type, options)
    this.instruments.set(name, inst as Instrument)
    return inst
  }
}
