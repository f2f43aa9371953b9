import { normalizeLog, normalizeSpan, normalizeSummary, type ObservabilityApi } from '../traces'
import type { ApiContext, ApiRoutes } from './respond'
import { ApiError, json, optionalLimit } from './respond'

/**
 * `/api/traces` and `/api/traces/:traceId`, read from the observability module. Without it
 * (tracing off) the list answers `{ enabled: false }` so the page can say so.
 */
export function traceRoutes(ctx: ApiContext): ApiRoutes {
  const obs = () => ctx.rt.shared.get('observability') as ObservabilityApi | undefined
  return {
    '/api/traces': {
      GET: async (_req, url) => {
        const api = obs()
        if (!api) return json({ enabled: false, traces: [] })
        const q = url.searchParams
        const status = q.get('status')
        if (status !== null && status !== 'ok' && status !== 'error') {
          throw new ApiError(400, 'E_CONSOLE_BAD_REQUEST', 'status must be ok or error')
        }
        const traces = await api.listTraces({
          ...(q.get('step') ? { step: q.get('step')! } : {}),
          ...(status ? { status } : {}),
          limit: optionalLimit(url, 100, 1000),
        })
        return json({ enabled: true, traces: traces.map(normalizeSummary) })
      },
    },
    '/api/traces/:traceId': {
      GET: async (req) => {
        const api = obs()
        if (!api) throw new ApiError(404, 'E_CONSOLE_NOT_FOUND', 'tracing is off in this runtime')
        const trace = await api.getTrace(req.params.traceId!)
        if (!trace || trace.spans.length === 0) {
          const traceId = req.params.traceId!
          // Sampling knows why it did not keep a trace: say so, rather than a bare "no trace".
          const reason = api.notKept?.(traceId)
          if (reason) {
            throw new ApiError(404, 'E_CONSOLE_TRACE_NOT_KEPT', `trace ${traceId} was not kept: ${reason}`)
          }
          throw new ApiError(404, 'E_CONSOLE_NOT_FOUND', `no trace ${traceId}`)
        }
        const spans = trace.spans.map(normalizeSpan).sort((a, b) => a.start - b.start)
        const logs = (trace.logs ?? []).map(normalizeLog).sort((a, b) => a.time - b.time)
        return json({ traceId: req.params.traceId, spans, logs })
      },
    },
  }
}
