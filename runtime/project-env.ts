import { existsSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Loads `<dir>/.env` into `process.env` as Motia does (dotenv): variables already set win. Bun
 * loads the working directory's `.env` by itself; this covers `--dir elsewhere`. Returns the
 * file loaded, if any.
 */
export function loadProjectEnv(dir: string): string | undefined {
  const file = join(dir, '.env')
  if (!existsSync(file)) return undefined
  process.loadEnvFile(file)
  return file
}
