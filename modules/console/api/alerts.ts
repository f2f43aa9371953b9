import { ALERTS_KEY, type AlertsApi } from '../../observability/alerts/alerts-module'
import type { ApiContext, ApiRoutes } from './respond'
import { json } from './respond'

/**
 * `/api/alerts`: the `observability.alerts` rules (their last figure, last firing) and the
 * fired alerts kept (newest first, at most 200) with how their action went.
 */
export function alertRoutes(ctx: ApiContext): ApiRoutes {
  return {
    '/api/alerts': {
      GET: () => {
        const api = ctx.rt.shared.get(ALERTS_KEY) as AlertsApi | undefined
        if (!api) return json({ enabled: false, rules: [], fired: [] })
        return json({ enabled: true, rules: api.rules(), fired: api.fired() })
      },
    },
  }
}
