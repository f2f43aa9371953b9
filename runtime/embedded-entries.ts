import { existsSync } from 'node:fs'

/**
 * Entrypoints a compiled binary carries besides the CLI (build.ts EXTRA_ENTRYPOINTS): worker
 * entries, and libraries kept out of the CLI's bundle so that a start that never uses them does
 * not even parse them. Inside the binary each one is addressed from the build root (BUN-NOTES.md).
 */
declare const MOTIA_WORKER_EXT: string | undefined

/** Every entrypoint but the CLI's, from the build root, without extension (build.ts, compile-app.ts). */
export const EXTRA_ENTRYPOINTS = [
  'modules/queue/pool/worker-entry',
  'modules/storage/checkpoint-worker',
  'modules/storage/redis-libraries',
  'modules/queue/adapters/rabbitmq-library',
  'modules/python/sdk-files',
  'runtime/zod-library',
  'runtime/zod3-json-schema',
  'runtime/chokidar-library',
  'modules/cron/croner-library',
]

/** A module inside a compiled executable: `/$bunfs/root/...`, on Windows `B:\\~BUN\\root\\...`. */
const EMBEDDED = /^(\/\$bunfs\/|[A-Za-z]:[\\/]~BUN[\\/])/
const EMBEDDED_ROOT = /^(\/\$bunfs\/root\/|[A-Za-z]:[\\/]~BUN[\\/]root[\\/])/

/**
 * Where a worker entry is: inside a compiled binary, relative to the build root; from source,
 * `local`, next to the module that spawns it (the `motia test` runtime build rewrites that URL
 * to the `.js` bundle).
 */
export function workerEntryUrl(fromRoot: string, local: URL): string | URL {
  if (!EMBEDDED.test(import.meta.path)) return local
  const root = EMBEDDED_ROOT.exec(import.meta.path)?.[1]
  const asset = root === undefined ? undefined : embeddedAsset(root, fromRoot)
  if (asset) return asset
  // Apps built by `motia build --compile` embed the bundled JS of the entry instead of the TS.
  const ext = typeof MOTIA_WORKER_EXT === 'string' ? MOTIA_WORKER_EXT : 'ts'
  return `./${fromRoot}.${ext}`
}

/**
 * The motia binary carries its entries but the CLI's as JS assets (build.ts: so that only the
 * CLI's gets bytecode), each under its base name at the embedded root; apps built by `motia
 * build --compile` carry them as entrypoints, under their paths. Undefined in the latter.
 */
function embeddedAsset(root: string, fromRoot: string): string | undefined {
  const path = `${root}${fromRoot.slice(fromRoot.lastIndexOf('/') + 1)}.js`
  return existsSync(path) ? path : undefined
}

/**
 * The absolute specifier of a library entry (`modules/storage/redis-libraries`) inside the
 * compiled binary this code runs in, for `import()`. It is computed so that the bundler leaves
 * the import alone: the caller's other branch, `import('./x')`, is what runs from source. `self`
 * is the calling bundle's own path (the CLI's, or a worker entry's).
 */
export function embeddedEntry(fromRoot: string, self: string = import.meta.path): string {
  const root = EMBEDDED_ROOT.exec(self)?.[1]
  if (root === undefined) throw new Error(`${fromRoot}: not inside a compiled binary (${self})`)
  return embeddedAsset(root, fromRoot) ?? `${root}${root.endsWith('\\') ? fromRoot.replaceAll('/', '\\') : fromRoot}.js`
}
