import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, sep } from 'node:path'
import { discoverProject } from '../discovery'
import { MotiaError } from '../errors'
import { PROJECT_CONFIG_FILES } from '../project-config'
import { findNativeAddons, type Metafile } from './native-addons'

/**
 * What the binary provides to every step (runtime/builtin-modules.ts): left as imports, so the
 * app's steps share the runtime's copies (one `motia`, spans joining the runtime's traces).
 */
const PROVIDED = ['motia', 'motia/*', '@motiadev/*', '@opentelemetry/api']
/** Source files the bundles replace: they are not carried as files. */
export const MODULE_FILE = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/
/** Bundles are ES modules whatever the project's package.json `type` says. */
const OUT_EXT = '.mjs'

export interface ProjectBundle {
  /** Files written under `outdir`, relative, `/`-separated. */
  files: string[]
  warnings: string[]
}

/** The project's own `zod` (most Motia apps pin zod 3) is bundled with its steps; else the binary's. */
function projectHasZod(dir: string): boolean {
  try {
    return Bun.resolveSync('zod', dir).includes(`${sep}node_modules${sep}`)
  } catch {
    return false
  }
}

/**
 * In the project's own sources, where a file is (`import.meta.dir`, `__dirname`, ...) becomes a
 * literal of its source path, which relocate() then rebases onto the unpacked app: inlined into
 * a bundle, `import.meta` would name the bundle, and the bundler's own `var __dirname` of each
 * inlined file share one scope (the last one wins by the time a handler runs).
 */
function pinLocation(text: string, file: string): string {
  const dir = JSON.stringify(dirname(file))
  const path = JSON.stringify(file)
  // Not a declaration (`const __dirname = ...`), an assignment or a property name.
  const free = (name: string) => new RegExp(`(?<![\\w$.]|(?:const|let|var)\\s+)${name}(?![\\w$]|\\s*=(?!=)|\\s*:)`, 'g')
  return text
    .replace(/\bimport\.meta\.(dir|dirname)\b/g, dir)
    .replace(/\bimport\.meta\.(path|filename)\b/g, path)
    .replace(/\bimport\.meta\.url\b/g, `require("node:url").pathToFileURL(${path}).href`)
    .replace(free('__dirname'), dir)
    .replace(free('__filename'), path)
}

const LOADERS: Record<string, 'ts' | 'tsx' | 'js' | 'jsx'> = {
  ts: 'ts',
  mts: 'ts',
  cts: 'ts',
  tsx: 'tsx',
  js: 'js',
  mjs: 'js',
  cjs: 'js',
  jsx: 'jsx',
}

/**
 * The bundler writes `__dirname`/`__filename` as the build machine's absolute paths; in the app
 * they must name where the file is unpacked. A string literal starting with the project path
 * becomes the output file's own folder (`import.meta.dir`, cut back to the app root) plus the
 * rest. Paths into node_modules keep working only for what was bundled.
 */
function relocate(text: string, projectDir: string, outRel: string): string {
  const depth = dirname(outRel) === '.' ? 0 : dirname(outRel).split('/').length
  const root = depth === 0 ? 'import.meta.dir' : `import.meta.dir.split(/[\\\\/]/).slice(0, -${depth}).join("/")`
  const quoted = JSON.stringify(projectDir)
    .slice(1, -1)
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return text.replace(new RegExp(`"${quoted}((?:[^"\\\\]|\\\\.)*)"`, 'g'), (_m, rest: string) => {
    return `(${root} + "${rest}")`
  })
}

/**
 * Bundles the project's step, stream and `motia.config` files for a compiled app: every npm
 * package they import (ESM or CommonJS, exports maps, nested dependencies, the project's zod)
 * is inlined, code shared by several steps lands once in `_chunks/` (a module-level cache is
 * still one instance), and `motia`, `@motiadev/*`, `@opentelemetry/api` (and `zod` when the
 * project has none) stay imports the binary provides. Native addons cannot be carried:
 * `E_APP_NATIVE_ADDON` naming the package and the file importing it.
 */
export async function bundleProject(dir: string, outdir: string): Promise<ProjectBundle> {
  const found = discoverProject(dir)
  const config = PROJECT_CONFIG_FILES.find((f) => existsSync(join(dir, f)))
  const entrypoints = [...found.steps, ...found.streams, ...(config ? [join(dir, config)] : [])]
  if (entrypoints.length === 0) return { files: [], warnings: [] }
  const external = [...PROVIDED, ...(projectHasZod(dir) ? [] : ['zod', 'zod/*'])]
  // Paths in the bundles' comments and metafile are relative to the working directory: the
  // project's, so that no path of the build machine ends up in the executable.
  const cwd = process.cwd()
  process.chdir(dir)
  const result = await Bun.build({
    entrypoints,
    root: dir,
    outdir,
    target: 'bun',
    format: 'esm',
    splitting: true,
    external,
    naming: { entry: `[dir]/[name]${OUT_EXT}`, chunk: `_chunks/[name]-[hash]${OUT_EXT}` },
    metafile: true,
    plugins: [
      {
        name: 'motia-project-import-meta',
        setup(build) {
          build.onLoad({ filter: /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/ }, (args) => {
            if (args.path.includes(`${sep}node_modules${sep}`) || !args.path.startsWith(dir + sep)) return undefined
            const text = pinLocation(readFileSync(args.path, 'utf8'), args.path)
            return { contents: text, loader: LOADERS[args.path.slice(args.path.lastIndexOf('.') + 1)] ?? 'ts' }
          })
        },
      },
    ],
  } as Parameters<typeof Bun.build>[0]).finally(() => process.chdir(cwd))
  if (!result.success) {
    const logs = result.logs.map((l) => String(l)).join('\n  ')
    throw new MotiaError(
      'E_PROJECT_INVALID',
      `bundling the project's steps failed (run npm install first if a package is missing):\n  ${logs}`,
    )
  }
  const metafile = (result as unknown as { metafile: Metafile }).metafile
  const addons = findNativeAddons(metafile, dir)
  if (addons.length > 0) {
    throw new MotiaError(
      'E_APP_NATIVE_ADDON',
      `a compiled app cannot carry native addons:\n  ${addons
        .map((a) => `${a.importer} imports ${a.pkg}, a native addon (${a.evidence})`)
        .join(
          '\n  ',
        )}\nRemove the import from the app, or run the project with the motia binary beside its node_modules (motia start)`,
    )
  }
  const files: string[] = []
  for (const out of result.outputs) {
    const rel = relative(outdir, out.path).split(sep).join('/')
    writeFileSync(out.path, relocate(readFileSync(out.path, 'utf8'), dir, rel))
    files.push(rel)
  }
  const warnings = result.logs.filter((l) => l.level === 'warning').map((l) => String(l))
  return { files, warnings }
}
