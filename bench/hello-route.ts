/**
 * The hello project's `GET /hello` as Bun.serve would call it, from a runtime with no sockets:
 * the route of the in-process benches (route-instructions.ts, route-gc.ts).
 */
import { BodyReads } from '../modules/http/body-reads'
import { Cors } from '../modules/http/cors'
import { Deadlines } from '../modules/http/deadlines'
import { httpModule } from '../modules/http/http-module'
import { buildRouter } from '../modules/http/router'
import { metricsModule } from '../modules/observability/metrics/metrics-module'
import {
  OBSERVABILITY_KEY,
  type ObservabilityApi,
  observabilityModule,
} from '../modules/observability/observability-module'
import { createRuntime, type Runtime } from '../runtime/runtime'

export interface Route {
  call: (request: Request) => unknown
  /** Writes the kept traces now (the trace store's timed write, at once). */
  flush: () => void
  rt: Runtime
}

export async function routeOf(dir: string): Promise<Route> {
  // Only what the route uses: no worker pool, no sockets (valgrind handles fewer threads better).
  const modules = () => [metricsModule({ listen: false }), observabilityModule(), httpModule({ listen: false })]
  const rt = await createRuntime({ dir, mode: 'start', modules, logSinks: [] })
  const http = rt.config.http
  const deadlines = new Deadlines()
  const router = buildRouter(rt.project().steps, {
    engine: rt.engine,
    config: http,
    dev: false,
    deadlines,
    log: rt.services.log,
    cors: new Cors(http.cors),
    bodies: new BodyReads(http, deadlines),
  })
  const get = router.routes['/hello']!.GET!
  const observability = rt.services.shared.get(OBSERVABILITY_KEY) as ObservabilityApi | undefined
  return { call: (r) => get(r, undefined as never), flush: () => void observability?.flush(), rt }
}
