/**
 * Preloaded into a project's plain `bun test` (its bunfig.toml names it) and into `motia test`:
 * bundled as `<project>/.motia/runtime/motia-test.js` by build-assets.ts, written there by the
 * motia binary. It makes `motia`, `motia/testing` and `zod` resolve as the binary does, with no
 * node_modules: the project's own zod when it has one, else the binary's.
 */
import { join } from 'node:path'
import { provideZod } from '../runtime/builtin-modules'
import { staleness } from '../runtime/test-runtime-origin'
import { registerBuiltins } from './builtins'

registerBuiltins()
provideZod(join(import.meta.dir, '..', '..'))
const stale = staleness(import.meta.dir)
if (stale) console.warn(stale)
