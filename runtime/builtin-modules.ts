import * as otel from '@opentelemetry/api'
import * as zod from 'zod'
import * as sdk from '../sdk/index'

let registered = false

/** What `@motiadev/plugin-*` imports of published 0.x apps get: plugins that do nothing. */
const pluginStub = {
  default: () => ({ dirname: '', steps: [], workbench: [] }),
  plugin: () => ({ dirname: '', steps: [], workbench: [] }),
}

/**
 * Makes `motia`, `zod`, `@opentelemetry/api` (and the names 0.x apps import: `@motiadev/core`, workbench plugins)
 * resolve to the runtime's own copies, so step files need no node_modules and share one zod
 * instance with the runtime. Plugins are per thread: call this on the engine thread and in every
 * worker. A bunfig preload is not applied inside a compiled binary, hence code.
 */
export function registerBuiltinModules(): void {
  if (registered) return
  registered = true
  Bun.plugin({
    name: 'motia-builtin-modules',
    setup(build) {
      for (const name of ['motia', '@motiadev/core']) {
        build.module(name, () => ({ exports: sdk, loader: 'object' }))
      }
      build.module('motia/testing', async () => ({ exports: await import('../sdk/testing'), loader: 'object' }))
      for (const name of ['zod', 'zod/v4']) {
        build.module(name, () => ({ exports: zod, loader: 'object' }))
      }
      // The runtime's own copy: spans a step starts through it join the execution's trace.
      build.module('@opentelemetry/api', () => ({ exports: otel, loader: 'object' }))
      build.onResolve({ filter: /^@motiadev\/plugin-/ }, (args) => ({ path: args.path, namespace: 'motia-plugin' }))
      build.onLoad({ filter: /.*/, namespace: 'motia-plugin' }, () => ({ exports: pluginStub, loader: 'object' }))
    },
  })
}
