/**
 * The composition root's side of runtime/builtin-modules.ts: registers `motia`, `motia/testing`,
 * `@opentelemetry/api` and the `@motiadev/*` names for this thread, with `motia/testing` (which
 * builds a runtime from the default modules) loaded on first import. Every entry point calls
 * this: the CLI, the step workers, the `bun test` preloads, the benches.
 */
import { registerBuiltinModules } from '../runtime/builtin-modules'

export function registerBuiltins(): void {
  registerBuiltinModules({ testing: () => import('../sdk/testing') })
}
