import type { Database } from 'bun:sqlite'
import { dirname, join } from 'node:path'
import { buildInfo } from '../../runtime/build-info'
import type { LogRecord } from '../../runtime/logger'
import type { MotiaModule, RuntimeServices } from '../../runtime/module'
import { NOT_SAMPLED_SPAN_ID } from '../../runtime/trace-id'
import type { SpanRecord } from '../../runtime/tracing'
import { registerOtelGlobals, releaseOtelFallback } from './otel-global'
import { OtlpExporter } from './otlp-exporter'
import { TraceSampler } from './sampler'
import { openTraceStore } from './trace-db'
import type { TraceFilter, TraceStore, TraceSummary } from './trace-store'
import { type SpanCollector, SpanTracer } from './tracer'

export const OBSERVABILITY_KEY = 'observability'

/** What the console and tests get from `shared.get('observability')` (docs/observability.md). */
export interface ObservabilityApi {
  listTraces(filter?: TraceFilter): TraceSummary[]
  getTrace(traceId: string): { spans: SpanRecord[]; logs: LogRecord[] } | null
  /** Called with every span as it ends. */
  onSpan(listener: (span: SpanRecord) => void): () => void
  /** Writes buffered spans to the store and sends queued ones to the OTLP endpoint. */
  flush(): Promise<void>
  /**
   * Why a trace `getTrace` does not have was not kept, when sampling knows (`sampled out
   * (ratio 0.1)`); undefined without sampling or for an id it would have kept.
   */
  notKept(traceId: string): string | undefined
  /** Whether a trace whose span ended at `time` (epoch ms) may be missing from the store (TraceStore.gone). */
  traceGone(time: number): boolean
}

/**
 * Traces of every execution. The engine gets a tracer: HTTP requests, messages, cron runs,
 * state and stream triggers are spans, the ctx calls inside them child spans, and log records
 * events on the span they were written in (joined when read or exported). Spans are kept in SQLite for the console (newest
 * `maxTraces` traces) and exported over OTLP/HTTP when `observability.otlp` names an endpoint.
 * `@opentelemetry/api` records here too, so a handler's own spans join its trace.
 */
export function observabilityModule(): MotiaModule {
  let rt: RuntimeServices
  let store: TraceStore | undefined
  let exporter: OtlpExporter | undefined
  let tracer: SpanTracer | undefined
  let sampler: TraceSampler | undefined
  let db: Database | undefined
  let unsink: (() => void) | undefined
  const listeners = new Set<(span: SpanRecord) => void>()

  /** Whether the store took the span (an OTLP endpoint gets it either way). */
  const deliver = (span: SpanRecord): boolean => {
    const kept = store!.add(span)
    exporter?.add(span)
    if (listeners.size > 0) for (const l of listeners) l(span)
    return kept
  }
  const collector: SpanCollector = {
    ended: deliver,
    recorded: deliver,
    // The store keeps the first maxTraces traces of each write window: under a heavier load
    // the others are not recorded at all (no span objects on the request path), unless an
    // OTLP collector wants every span.
    sampled: (traceId) => exporter !== undefined || store!.admits(traceId),
    takesNew: () => exporter !== undefined || store!.hasRoom(),
  }

  /** A record written inside an execution: kept with its trace (and sent along with its span). */
  const onLog = (record: LogRecord) => {
    // A record of a not-sampled execution carries its marker span id: its trace is not kept.
    if (!record.traceId || record.spanId === NOT_SAMPLED_SPAN_ID) return
    store!.addLog(record)
    exporter?.addLog(record)
  }

  const api: ObservabilityApi = {
    listTraces: (filter) => store!.list(filter),
    getTrace: (traceId) => store!.get(traceId),
    onSpan(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    async flush() {
      store!.flush()
      await exporter?.shutdown()
    },
    notKept: (traceId) => sampler?.explain(traceId),
    traceGone: (time) => store?.gone(time) ?? true,
  }

  return {
    name: 'observability',
    setup(services) {
      rt = services
      const config = rt.config.observability
      if (!config.enabled) return
      ;({ db, store } = openTraceStore(tracesPath(rt), config.maxTraces, rt.log))
      if (config.otlp) {
        exporter = new OtlpExporter({
          endpoint: config.otlp.endpoint,
          headers: config.otlp.headers,
          serviceName: config.otlp.serviceName,
          serviceVersion: buildInfo().version,
          instanceId: rt.config.instanceId,
          intervalMs: config.otlp.interval,
          log: rt.log,
        })
      }
      sampler = config.sampling ? new TraceSampler(config.sampling) : undefined
      tracer = new SpanTracer(collector, sampler)
      rt.engine.tracer = tracer
      registerOtelGlobals(tracer)
      unsink = rt.logs.addSink(onLog)
      rt.shared.set(OBSERVABILITY_KEY, api)
    },
    async stop() {
      if (!tracer) return
      unsink?.()
      if (rt.engine.tracer === tracer) rt.engine.tracer = undefined
      releaseOtelFallback(tracer)
      store?.close()
      await exporter?.shutdown()
      db?.close()
      listeners.clear()
      rt.shared.delete(OBSERVABILITY_KEY)
    },
  }
}

/**
 * Traces live in their own file next to the project's database (`.motia/traces.db`): they
 * are a cache for the console, written without waiting for the disk, and their churn under
 * load stays out of the WAL that the queue and state commit through.
 */
function tracesPath(rt: RuntimeServices): string {
  const main = rt.config.sqlite.path
  if (rt.config.observability.store === 'memory' || main === ':memory:') return ':memory:'
  return join(dirname(main), 'traces.db')
}
