import type { MotiaConfig } from '../../runtime/config/schema'
import type { Engine } from '../../runtime/engine'
import type { StructuredLogger } from '../../runtime/logger'
import type { ActiveSpan, ExecutionParent } from '../../runtime/tracing'
import type { BodyReads } from './body-reads'
import type { Deadlines } from './deadlines'

/** Per-request facts the server computed before routing. */
export interface RequestScope {
  traceId: string
  /** Headers every response carries: trace id, CORS. A fresh object per request. */
  base: Record<string, string>
  /**
   * How the request joins its trace: `fresh` (an id made here), `root` (an `x-trace-id` given),
   * `sampled` / `not-sampled` (a `traceparent` and its flags), for sampling.
   */
  parent: ExecutionParent
  /** The caller's span, from an incoming `traceparent`. */
  parentSpanId?: string
  /** This request's span (tracing on). */
  span?: ActiveSpan
}

export interface RouteEnv {
  engine: Engine
  config: MotiaConfig['http']
  dev: boolean
  deadlines: Deadlines
  log: StructuredLogger
  scopeOf(request: Request): RequestScope
  /** Requests being handled across all routes (bodies read), for the concurrency limit. */
  load: { inFlight: number }
  bodies: BodyReads
}
