import { epochMs } from '../../../runtime/tracing'
import {
  type CounterSeries,
  type HistogramSeries,
  type Instrument,
  type Labels,
  MetricRegistry,
  SECONDS_BUCKETS,
} from './registry'

/**
 * Series allowed in instruments labelled by what the project declares (routes × methods × status
 * classes, steps × trigger types): raw input never reaches these labels, so the cap is only a
 * backstop.
 */
const PROJECT_BOUNDED = 50_000
/** Status classes by `status / 100`; anything odd is `other`. */
const CLASSES = ['other', '1xx', '2xx', '3xx', '4xx', '5xx'] as const

/**
 * One HTTP route's series, resolved when the router is built: a request only adds numbers. A
 * status class's series is made on its first request (most routes never answer 1xx or 3xx).
 */
export class RouteMetrics {
  private readonly durations: (HistogramSeries | undefined)[] = [
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
  ]

  constructor(
    private readonly series: (statusClass: string) => HistogramSeries,
    private readonly step?: StepSeries,
  ) {}

  /** A request answered with `status`, started at `t0` (`performance.now()`); `traceId` when its trace is kept. */
  done(status: number, t0: number, traceId?: string): void {
    const t1 = performance.now()
    const seconds = (t1 - t0) / 1000
    let c = (status / 100) | 0
    if (c < 1 || c > 5) c = 0
    let h = this.durations[c]
    if (!h) {
      h = this.series(CLASSES[c]!)
      this.durations[c] = h
    }
    // Exemplar times are epoch ms.
    const at = epochMs(t1)
    h.record(seconds, traceId, at)
    this.step?.ran(seconds, status >= 500, traceId, at)
  }
}

/** A step's executions of one trigger type. */
export class StepSeries {
  constructor(
    private readonly executions: CounterSeries,
    private readonly failures: CounterSeries,
    private readonly duration: HistogramSeries,
  ) {}

  ran(seconds: number, failed: boolean, traceId?: string, time?: number): void {
    this.executions.add(1)
    if (failed) this.failures.add(1)
    this.duration.record(seconds, traceId, time)
  }
}

/** A queue subscription's series. */
export class SubscriptionSeries {
  constructor(
    readonly processed: CounterSeries,
    readonly retried: CounterSeries,
    readonly deadLettered: CounterSeries,
    readonly wait: HistogramSeries,
  ) {}
}

/**
 * The runtime's own instruments (docs/observability.md lists them), over one registry. Names
 * follow OpenTelemetry's semantic conventions where one exists, `motia.*` otherwise; labels are
 * bounded (route templates, step, topic, subscription, stream names), never raw paths or ids.
 */
export class RuntimeMetrics {
  readonly httpDuration: Instrument<'histogram'>
  readonly stepExecutions: Instrument<'counter'>
  readonly stepFailures: Instrument<'counter'>
  readonly stepDuration: Instrument<'histogram'>
  readonly enqueued: Instrument<'counter'>
  readonly processed: Instrument<'counter'>
  readonly retried: Instrument<'counter'>
  readonly deadLettered: Instrument<'counter'>
  readonly queueWait: Instrument<'histogram'>
  readonly cronRuns: Instrument<'counter'>
  readonly cronSkipped: Instrument<'counter'>
  readonly stateOps: Instrument<'counter'>
  readonly streamOps: Instrument<'counter'>
  readonly streamConnections: Instrument<'updowncounter'>
  readonly streamSubscriptions: Instrument<'updowncounter'>
  readonly streamMessagesOut: Instrument<'counter'>
  readonly streamDrops: Instrument<'counter'>
  private readonly steps = new Map<string, StepSeries>()
  private readonly subscriptions = new Map<string, SubscriptionSeries>()
  private readonly simple = new Map<string, CounterSeries>()

  constructor(readonly registry: MetricRegistry = new MetricRegistry()) {
    const r = registry
    this.httpDuration = r.histogram('http.server.request.duration', {
      unit: 's',
      maxSeries: PROJECT_BOUNDED,
      description: 'Duration of HTTP server requests, by route template, method and status class.',
    })
    this.stepExecutions = r.counter('motia.step.executions', {
      maxSeries: PROJECT_BOUNDED,
      unit: '{execution}',
      description: 'Step handler runs, by step and trigger type.',
    })
    this.stepFailures = r.counter('motia.step.failures', {
      maxSeries: PROJECT_BOUNDED,
      unit: '{execution}',
      description: 'Step handler runs that failed (an error, a timeout, an HTTP answer of 500 or more).',
    })
    this.stepDuration = r.histogram('motia.step.duration', {
      maxSeries: PROJECT_BOUNDED,
      unit: 's',
      description: 'Duration of step handler runs.',
    })
    this.enqueued = r.counter('motia.queue.enqueued', {
      unit: '{message}',
      description: 'Messages enqueued, by topic.',
    })
    this.processed = r.counter('motia.queue.processed', {
      unit: '{message}',
      description: 'Messages handled successfully (acked), by topic and subscription.',
    })
    this.retried = r.counter('motia.queue.retried', {
      unit: '{message}',
      description: 'Failed deliveries that will be retried.',
    })
    this.deadLettered = r.counter('motia.queue.dead_lettered', {
      unit: '{message}',
      description: 'Messages sent to dead letters.',
    })
    this.queueWait = r.histogram('motia.queue.wait.duration', {
      unit: 's',
      description: 'Time from enqueue to the start of the first delivery.',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    })
    this.cronRuns = r.counter('motia.cron.runs', { unit: '{run}', description: 'Cron runs started, by step.' })
    this.cronSkipped = r.counter('motia.cron.missed', {
      unit: '{run}',
      description: 'Cron ticks not run because the previous run of the trigger was still going.',
    })
    this.stateOps = r.counter('motia.state.operations', {
      unit: '{operation}',
      description: 'State calls, by operation and step.',
    })
    this.streamOps = r.counter('motia.stream.operations', {
      unit: '{operation}',
      description: 'Stream calls from handlers, by stream and operation.',
    })
    this.streamConnections = r.upDownCounter('motia.stream.connections', {
      unit: '{connection}',
      description: 'Open stream WebSocket connections.',
    })
    this.streamSubscriptions = r.upDownCounter('motia.stream.subscriptions', {
      unit: '{subscription}',
      description: 'Stream subscriptions (joins) open, by stream.',
    })
    this.streamMessagesOut = r.counter('motia.stream.messages.sent', {
      unit: '{message}',
      description: 'Stream events published to subscribers, by stream.',
    })
    this.streamDrops = r.counter('motia.stream.connections.dropped', {
      unit: '{connection}',
      description: 'Stream connections closed by the server (backpressure, limits).',
    })
  }

  /** A route's series, resolved once per router build (`http.route` is the template). */
  route(method: string, route: string, step?: string): RouteMetrics {
    return new RouteMetrics(
      (statusClass) =>
        this.httpDuration.with({
          'http.request.method': method,
          'http.route': route,
          'http.response.status_class': statusClass,
        }),
      step === undefined ? undefined : this.step(step, 'http'),
    )
  }

  /** Requests no route matched: one `http.route=""` series per method, whatever the path. */
  unmatched(method: string): RouteMetrics {
    return this.route(method, '')
  }

  step(step: string, trigger: string): StepSeries {
    const key = `${step}\u0000${trigger}`
    let s = this.steps.get(key)
    if (!s) {
      const labels = { 'motia.step': step, 'motia.trigger.type': trigger }
      s = new StepSeries(
        this.stepExecutions.with(labels),
        this.stepFailures.with(labels),
        this.stepDuration.with(labels),
      )
      this.steps.set(key, s)
    }
    return s
  }

  subscription(topic: string, subscription: string): SubscriptionSeries {
    const key = `${topic}\u0000${subscription}`
    let s = this.subscriptions.get(key)
    if (!s) {
      const labels = { 'motia.topic': topic, 'motia.subscription': subscription }
      s = new SubscriptionSeries(
        this.processed.with(labels),
        this.retried.with(labels),
        this.deadLettered.with(labels),
        this.queueWait.with(labels),
      )
      this.subscriptions.set(key, s)
    }
    return s
  }

  /** Adds 1 to `inst`'s series of one label (cached: the common ctx calls allocate nothing). */
  count(inst: Instrument<'counter'> | Instrument<'updowncounter'>, labels: Labels, key: string, n = 1): void {
    const k = `${inst.name}\u0000${key}`
    let s = this.simple.get(k)
    if (!s) {
      s = inst.with(labels) as CounterSeries
      this.simple.set(k, s)
    }
    s.add(n)
  }
}

export { SECONDS_BUCKETS }
