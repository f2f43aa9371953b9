import { consoleModule } from '../modules/console/console-module'
import { cronModule } from '../modules/cron/cron-module'
import { httpModule } from '../modules/http/http-module'
import { iiiModule } from '../modules/iii/iii-module'
import { alertsModule } from '../modules/observability/alerts/alerts-module'
import { metricsModule } from '../modules/observability/metrics/metrics-module'
import { observabilityModule } from '../modules/observability/observability-module'
import { pythonModule } from '../modules/python/python-module'
import { queueModule } from '../modules/queue/queue-module'
import { stateModule } from '../modules/state/state-module'
import { storageModule } from '../modules/storage/storage-module'
import { streamsModule } from '../modules/streams/streams-module'
import type { MotiaConfig } from '../runtime/config/schema'
import type { MotiaModule, RunMode } from '../runtime/module'

export interface DefaultModuleOptions {
  /** false: no sockets, for in-process tests that use `runtime.request()`. */
  listen?: boolean
}

/** The composition root: which modules a `motia` process runs. */
export function defaultModules(options: DefaultModuleOptions = {}) {
  return ({ config }: { mode: RunMode; config: MotiaConfig }): MotiaModule[] => [
    storageModule(),
    metricsModule({ listen: options.listen ?? true }),
    observabilityModule(),
    stateModule(),
    queueModule(),
    cronModule(),
    streamsModule({ listen: options.listen ?? true }),
    httpModule({ listen: options.listen ?? true, health: config.health }),
    consoleModule({ listen: options.listen ?? true }),
    pythonModule(),
    iiiModule({ listen: options.listen ?? true }),
    alertsModule(),
  ]
}
