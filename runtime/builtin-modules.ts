import * as otel from '@opentelemetry/api'
import * as sdk from '../sdk/index'
import { ADAPTER_PACKAGES, WORKBENCH_PLUGINS, workbenchPluginModule } from '../sdk/motiadev-packages'
import { embeddedEntry } from './embedded-entries'

declare const MOTIA_SPLIT_ENTRIES: boolean | undefined

let registered = false
let zodSource: ZodSource | undefined

/**
 * What the composition root provides that runtime/ must not import itself: `motia/testing`
 * builds a whole runtime from the default modules (cmd/builtins.ts passes it).
 */
export interface BuiltinProviders {
  /** Loads `motia/testing`; called the first time a file imports it. */
  testing: () => Promise<object>
}

/** Where step files' `zod` comes from: the project's own node_modules, or the binary's copy. */
export type ZodSource = { kind: 'project'; path: string } | { kind: 'bundled' }

/**
 * Makes `motia`, `@opentelemetry/api` and the `@motiadev/*` names 0.x apps import
 * (`@motiadev/core`, Workbench plugins, adapters) resolve to the runtime's own copies, so step
 * files and `motia.config.ts` need no node_modules. Names are registered one by one with
 * `build.module`: inside a compiled binary that works for files on disk, by `import` and by
 * `require`, whereas `onResolve` hooks do not (BUN-NOTES.md). `motia/testing` comes from
 * `provided` (runtime/ knows no module; the composition root does). Plugins are per thread: call this
 * on the engine thread and in every worker. A bunfig preload is not applied inside a compiled
 * binary, hence code. `zod` is separate: see {@link provideZod}.
 */
export function registerBuiltinModules(provided: BuiltinProviders): void {
  if (registered) return
  registered = true
  Bun.plugin({
    name: 'motia-builtin-modules',
    setup(build) {
      for (const name of ['motia', '@motiadev/core']) {
        build.module(name, () => ({ exports: sdk, loader: 'object' }))
      }
      build.module('motia/testing', async () => ({
        exports: (await provided.testing()) as Record<string, unknown>,
        loader: 'object',
      }))
      // The runtime's own copy: spans a step starts through it join the execution's trace.
      build.module('@opentelemetry/api', () => ({ exports: otel, loader: 'object' }))
      for (const plugin of WORKBENCH_PLUGINS) {
        for (const name of [`@motiadev/plugin-${plugin}`, `@motiadev/plugin-${plugin}/plugin`]) {
          build.module(name, () => ({ exports: workbenchPluginModule(plugin), loader: 'object' }))
        }
      }
      for (const [name, exports] of Object.entries(ADAPTER_PACKAGES)) {
        build.module(name, () => ({ exports, loader: 'object' }))
      }
      // Plugins not in the list above (running from source only: see the doc comment).
      build.onResolve({ filter: /^@motiadev\/plugin-/ }, (args) => ({ path: args.path, namespace: 'motia-plugin' }))
      build.onLoad({ filter: /.*/, namespace: 'motia-plugin' }, (args) => ({
        exports: workbenchPluginModule(args.path.replace(/^@motiadev\/plugin-/, '').replace(/\/plugin$/, '')),
        loader: 'object',
      }))
    },
  })
}

/**
 * Gives step files a `zod`. A project with its own `zod` in node_modules (most Motia apps pin
 * zod 3) keeps it: nothing is registered and Bun resolves `zod` from the importing file as
 * usual, for steps and for the project's packages alike. Otherwise `zod`, `zod/v4` and `zod/v3`
 * are the binary's copy. Module registrations are per thread and cannot be undone, so the first
 * call of a thread decides; `projectDir` undefined means the bundled copy.
 */
export function provideZod(projectDir?: string): ZodSource {
  if (zodSource) return zodSource
  const own = projectDir ? projectZod(projectDir) : undefined
  if (own) {
    zodSource = { kind: 'project', path: own }
    return zodSource
  }
  zodSource = { kind: 'bundled' }
  const library = zodLibrary()
  Bun.plugin({
    name: 'motia-bundled-zod',
    setup(build) {
      for (const name of ['zod', 'zod/v4']) build.module(name, () => ({ exports: library().zod, loader: 'object' }))
      build.module('zod/v3', () => ({ exports: library().zodV3, loader: 'object' }))
    },
  })
  return zodSource
}

type ZodLibrary = typeof import('./zod-library')

/**
 * In a compiled binary the step-facing zod is an entrypoint apart (build.ts), loaded on a step's
 * first `import 'zod'`, synchronously so that `require('zod')` works too; the define folds this
 * test, so the bundle keeps no copy behind `require('./zod-library')`. From source it is loaded
 * now: its own `import 'zod'` would otherwise resolve through the registration it serves.
 */
function zodLibrary(): () => ZodLibrary {
  if (typeof MOTIA_SPLIT_ENTRIES === 'boolean') {
    return () => require(embeddedEntry('runtime/zod-library'))
  } else {
    const loaded: ZodLibrary = require('./zod-library')
    return () => loaded
  }
}

function projectZod(dir: string): string | undefined {
  try {
    const path = Bun.resolveSync('zod', dir)
    return path.includes('/node_modules/') ? path : undefined
  } catch {
    return undefined
  }
}
