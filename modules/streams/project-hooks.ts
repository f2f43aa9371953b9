import type { ProjectConfig } from '../../runtime/project-config'
import type { StreamAuthHooks } from './auth'

/**
 * The stream hooks of `motia.config.ts` (read once by the runtime): 1.x named export
 * `authenticateStream`, 0.x default export `{ streamAuth }` (from `defineConfig`).
 */
export function projectStreamHooks(config: ProjectConfig): StreamAuthHooks {
  const hooks: StreamAuthHooks = {}
  if (config.authenticateStream) hooks.authenticateStream = config.authenticateStream as never
  if (config.streamAuth) hooks.streamAuth = config.streamAuth as StreamAuthHooks['streamAuth']
  return hooks
}
