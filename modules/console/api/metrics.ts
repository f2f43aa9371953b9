import { answerJson, metricsAnswer } from '../live-metrics'
import type { ApiContext, ApiRoutes } from './respond'
import { jsonText } from './respond'

/**
 * `/api/metrics`: per route rate, p50/p95/p99, errors and latency buckets (with exemplars) over
 * the last hour, and per subscription depth, lag and throughput, each with a point per minute.
 * With metrics off (`observability.metrics.enabled: false`) it answers `{ enabled: false }`.
 * The console's pages get the same answer over the live socket instead (live-metrics.ts).
 */
export function metricsRoutes(ctx: ApiContext): ApiRoutes {
  return {
    '/api/metrics': {
      // Built and serialised in slices (live-metrics.ts): 1,000 routes would hold the thread ~0.2 s.
      GET: async () => jsonText(await answerJson(await metricsAnswer(ctx.metrics?.()))),
    },
  }
}
