// `bun test` preload: fixture step files import `motia` and `zod` as user projects do.
import { registerBuiltinModules } from './builtin-modules'

registerBuiltinModules()
