import type { MotiaModule, RunMode } from '../runtime/module'
import { cronModule } from './cron/cron-module'
import { httpModule } from './http/http-module'
import { queueModule } from './queue/queue-module'
import { stateModule } from './state/state-module'
import { storageModule } from './storage/storage-module'
import { streamTriggerKind } from './streams/trigger-kind'

export interface DefaultModuleOptions {
  /** false: no sockets, for in-process tests that use `runtime.request()`. */
  listen?: boolean
}

/** The composition root: which modules a `motia` process runs. */
export function defaultModules(options: DefaultModuleOptions = {}) {
  return (_: { mode: RunMode }): MotiaModule[] => [
    storageModule(),
    stateModule(),
    queueModule(),
    cronModule(),
    // The streams module arrives with its issue; its trigger kind is validated today.
    { name: 'streams', triggerKinds: [streamTriggerKind] },
    httpModule({ listen: options.listen ?? true }),
  ]
}
