// `bun test` preload: fixture step files import `motia` and `zod` as user projects do.
import { provideZod, registerBuiltinModules } from './builtin-modules'

registerBuiltinModules()
provideZod()
