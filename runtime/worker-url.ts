/**
 * Where a worker entry is: inside a compiled binary, an extra entrypoint addressed from the
 * build root (BUN-NOTES.md; build.ts lists them); from source, `local`, next to the module that
 * spawns it (the `motia test` runtime build rewrites that URL to the `.js` bundle).
 */
declare const MOTIA_WORKER_EXT: string | undefined

/** A module inside a compiled executable: `/$bunfs/root/...`, on Windows `B:\\~BUN\\root\\...`. */
const EMBEDDED = /^(\/\$bunfs\/|[A-Za-z]:[\\/]~BUN[\\/])/

export function workerEntryUrl(fromRoot: string, local: URL): string | URL {
  // Apps built by `motia build --compile` embed the bundled JS of the entry instead of the TS.
  const ext = typeof MOTIA_WORKER_EXT === 'string' ? MOTIA_WORKER_EXT : 'ts'
  return EMBEDDED.test(import.meta.path) ? `./${fromRoot}.${ext}` : local
}
