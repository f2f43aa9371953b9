import type { RuntimeMetrics } from '../../modules/observability/metrics/runtime-metrics'

/**
 * The console's load case (issue #23: metrics for 1,000 routes × 20 topics): 1,000 route latency
 * series (`GET /r<i>/:id`, 2xx) and 20 queue subscriptions (`t<t>`, `S#0:t<t>`).
 */
export function manySeries(m: RuntimeMetrics) {
  const routes = Array.from({ length: 1000 }, (_, i) =>
    m.httpDuration.with({
      'http.request.method': 'GET',
      'http.route': `/r${i}/:id`,
      'http.response.status_class': '2xx',
    }),
  )
  const subs = Array.from({ length: 20 }, (_, t) => m.subscription(`t${t}`, `S#0:t${t}`))
  return { routes, subs }
}
