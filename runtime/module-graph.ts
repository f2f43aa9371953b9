import { readFileSync, statSync } from 'node:fs'
import { dirname, extname } from 'node:path'

type Loader = 'ts' | 'tsx' | 'js' | 'jsx'
const LOADERS: Record<string, Loader> = {
  '.ts': 'ts',
  '.mts': 'ts',
  '.cts': 'ts',
  '.tsx': 'tsx',
  '.js': 'js',
  '.mjs': 'js',
  '.cjs': 'js',
  '.jsx': 'jsx',
}

/**
 * The project's own modules (not node_modules) in the module cache, and who imports whom among
 * them, so that a dev reload re-imports what a change reaches instead of every file: Bun's module
 * cache keeps no import graph, so each module's imports are scanned (once per version of a file).
 */
export class ProjectModuleGraph {
  private readonly scanned = new Map<string, { mtimeMs: number; imports: string[] }>()
  private readonly transpilers = new Map<Loader, Bun.Transpiler>()
  private readonly prefix: string

  constructor(dir: string) {
    this.prefix = `${dir}/`
  }

  /** Project modules in the module cache. */
  loaded(): string[] {
    return Object.keys(require.cache).filter((k) => k.startsWith(this.prefix) && !k.includes('/node_modules/'))
  }

  /** `changed` and every loaded project module that imports one of them, directly or through others. */
  reachedBy(changed: Iterable<string>): Set<string> {
    const importers = new Map<string, string[]>()
    for (const file of this.loaded()) {
      for (const dep of this.importsOf(file)) {
        const list = importers.get(dep)
        if (list) list.push(file)
        else importers.set(dep, [file])
      }
    }
    const reached = new Set(changed)
    const todo = [...reached]
    for (let f = todo.pop(); f !== undefined; f = todo.pop()) {
      for (const importer of importers.get(f) ?? []) {
        if (reached.has(importer)) continue
        reached.add(importer)
        todo.push(importer)
      }
    }
    return reached
  }

  /** The files a module imports (static, dynamic with a literal path, require), resolved. */
  private importsOf(file: string): string[] {
    const loader = LOADERS[extname(file)]
    if (!loader) return []
    let mtimeMs: number
    try {
      mtimeMs = statSync(file).mtimeMs
    } catch {
      return [] // deleted: it imports nothing any more
    }
    const seen = this.scanned.get(file)
    if (seen?.mtimeMs === mtimeMs) return seen.imports
    let imports: string[] = []
    try {
      const transpiler = this.transpilers.get(loader) ?? new Bun.Transpiler({ loader })
      this.transpilers.set(loader, transpiler)
      imports = transpiler.scanImports(readFileSync(file)).flatMap(({ path }) => {
        try {
          return [Bun.resolveSync(path, dirname(file))]
        } catch {
          return [] // unresolvable: it failed to load, and is imported afresh anyway
        }
      })
    } catch {
      // A file that does not parse did not load: nothing cached imports through it.
    }
    this.scanned.set(file, { mtimeMs, imports })
    return imports
  }
}

/**
 * Drops project modules from the module cache so their imports re-run: `only` (a dev reload's
 * reach), or every project module (not node_modules). A module that failed to evaluate is not
 * among the cache's keys, yet Bun keeps its failure until its key is deleted: `only` is deleted
 * by name.
 */
export function forgetProjectModules(dir: string, only?: Iterable<string>): void {
  const prefix = `${dir}/`
  const keys = only ?? Object.keys(require.cache).filter((k) => k.startsWith(prefix) && !k.includes('/node_modules/'))
  for (const key of keys) delete require.cache[key]
}
