// `bun test` preload: fixture step files import `motia` and `zod` as user projects do.
import { provideZod } from '../runtime/builtin-modules'
import { registerBuiltins } from './builtins'

registerBuiltins()
provideZod()
