import type { MotiaConfig } from '../runtime/config/schema'
import type { MotiaModule, RunMode } from '../runtime/module'
import { consoleModule } from './console/console-module'
import { cronModule } from './cron/cron-module'
import { httpModule } from './http/http-module'
import { iiiModule } from './iii/iii-module'
import { alertsModule } from './observability/alerts/alerts-module'
import { metricsModule } from './observability/metrics/metrics-module'
import { observabilityModule } from './observability/observability-module'
import { pythonModule } from './python/python-module'
import { queueModule } from './queue/queue-module'
import { stateModule } from './state/state-module'
import { storageModule } from './storage/storage-module'
import { streamsModule } from './streams/streams-module'

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
