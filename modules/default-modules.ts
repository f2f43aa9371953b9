import type { MotiaModule, RunMode } from '../runtime/module'
import { cronTriggerKind } from './cron/trigger-kind'
import { httpModule } from './http/http-module'
import { queueTriggerKind } from './queue/trigger-kind'
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
    // Trigger kinds whose modules arrive with the background-work and streams issues: their
    // configs are validated today so every config style loads.
    { name: 'queue', triggerKinds: [queueTriggerKind] },
    { name: 'cron', triggerKinds: [cronTriggerKind] },
    { name: 'streams', triggerKinds: [streamTriggerKind] },
    httpModule({ listen: options.listen ?? true }),
  ]
}
