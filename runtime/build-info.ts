import pkg from '../package.json' with { type: 'json' }

/** What a motia binary knows about itself: `motia version`, /__motia/health, the console, origin.json. */
export interface BuildInfo {
  version: string
  /** The git commit it was built from (`-dirty`: with uncommitted changes); null outside a checkout. */
  commit: string | null
  /** When it was built (ISO 8601); null when running from source. */
  date: string | null
  /** The platform it was compiled for (`linux-x64`, `darwin-arm64`, ...), or `source`. */
  target: string
}

/**
 * Set by build.ts (a `define`) in every binary; absent when running from source. The bundled
 * runtime that `motia build --compile` reuses serves every target, so it has no `target`: an
 * app compiled from it reports the platform it runs on.
 */
declare const MOTIA_BUILD: (Omit<BuildInfo, 'target'> & { target?: string }) | undefined

export function buildInfo(): BuildInfo {
  if (typeof MOTIA_BUILD === 'undefined') return { version: pkg.version, commit: null, date: null, target: 'source' }
  return { ...MOTIA_BUILD, target: MOTIA_BUILD.target ?? `${process.platform}-${process.arch}` }
}
