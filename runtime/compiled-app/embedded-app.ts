import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { unpackPrivate } from './private-dir'

/** Where `motia build --compile` puts the project inside the executable, and its file list. */
export const APP_DIR = 'app'
export const APP_MANIFEST = '.motia-app.json'
/** The root of a compiled executable's embedded files (Bun names it differently on Windows). */
export const EMBEDDED_ROOT = process.platform === 'win32' ? 'B:/~BUN/root' : '/$bunfs/root'

export interface AppManifest {
  name: string
  files: string[]
}

/**
 * Inside an app built with `--compile`: unpacks the embedded project into a fresh private
 * directory (private-dir.ts) removed when the process exits, and returns it; undefined in the
 * plain motia binary. Nothing is ever reused from an earlier run: a folder another user made,
 * a link, or a file changed since is never loaded.
 */
export function embeddedApp(env: Record<string, string | undefined> = process.env): string | undefined {
  const root = join(EMBEDDED_ROOT, APP_DIR)
  const manifestPath = join(root, APP_MANIFEST)
  if (!existsSync(manifestPath)) return undefined
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as AppManifest
  const files = manifest.files.map((path) => ({ path, bytes: readFileSync(join(root, path)) }))
  const dir = unpackPrivate(`motia-app-${manifest.name}-`, files, env)
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
  return dir
}
