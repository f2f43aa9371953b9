import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'

/** The part of Bun.build's metafile read here: every input file (relative to the project) and what it imports. */
export interface Metafile {
  inputs: Record<string, { imports?: { path: string; external?: boolean }[] }>
}

export interface NativeAddon {
  /** The npm package, e.g. `sharp`. */
  pkg: string
  /** The project file that imports it (directly or through other packages), relative. */
  importer: string
  /** Why it is native: the `.node` file, binding.gyp, or the loader package it depends on. */
  evidence: string
}

/** Packages whose only job is to find and load a compiled `.node` file. */
const ADDON_LOADERS = ['node-gyp-build', 'bindings', 'prebuild-install', '@mapbox/node-pre-gyp', 'node-pre-gyp']

const NODE_MODULES = `${sep}node_modules${sep}`

/** `/p/node_modules/@img/sharp/lib/x.js` → `/p/node_modules/@img/sharp`. */
function packageDir(file: string): string | undefined {
  const at = file.lastIndexOf(NODE_MODULES)
  if (at < 0) return undefined
  const parts = file.slice(at + NODE_MODULES.length).split(sep)
  const n = parts[0]?.startsWith('@') ? 2 : 1
  return file.slice(0, at + NODE_MODULES.length) + parts.slice(0, n).join(sep)
}

function readJson(path: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>
  } catch {
    return undefined
  }
}

/** The first `.node` file under `dir` (its own files: nested node_modules are other packages). */
function nodeFile(dir: string, budget = { left: 5000 }): string | undefined {
  let entries: import('node:fs').Dirent[]
  try {
    entries = readdirSync(dir, { withFileTypes: true })
  } catch {
    return undefined
  }
  for (const e of entries) {
    if (--budget.left < 0) return undefined
    if (e.isFile() && e.name.endsWith('.node')) return join(dir, e.name)
    if (e.isDirectory() && e.name !== 'node_modules') {
      const found = nodeFile(join(dir, e.name), budget)
      if (found) return found
    }
  }
  return undefined
}

/** Why the package at `dir` is a native addon, or undefined. */
function nativeEvidence(dir: string, projectDir: string): string | undefined {
  const pkg = readJson(join(dir, 'package.json')) ?? {}
  const rel = (p: string) => relative(projectDir, p).split(sep).join('/')
  if (existsSync(join(dir, 'binding.gyp'))) return `${rel(dir)}/binding.gyp`
  if (pkg.gypfile === true) return `${rel(dir)}/package.json: "gypfile": true`
  const own = nodeFile(dir)
  if (own) return rel(own)
  const deps = {
    ...(pkg.dependencies as Record<string, string> | undefined),
    ...(pkg.optionalDependencies as Record<string, string> | undefined),
  }
  const loader = ADDON_LOADERS.find((l) => l in deps)
  if (loader) return `loads its binary through ${loader}`
  // Prebuilt binaries shipped as per-platform optional packages (sharp's @img/sharp-linux-x64).
  for (const name of Object.keys((pkg.optionalDependencies as Record<string, string> | undefined) ?? {})) {
    let depDir: string
    try {
      depDir = dirname(Bun.resolveSync(`${name}/package.json`, dir))
    } catch {
      continue
    }
    const file = nodeFile(depDir)
    if (file) return rel(file)
  }
  return undefined
}

/**
 * The npm packages in a bundle that need a compiled `.node` binary, each with a project file
 * that pulls it in. Such a binary (and the shared libraries it loads) is built for one platform
 * and loaded from disk by the dynamic linker, so a compiled app cannot carry it.
 */
export function findNativeAddons(metafile: Metafile, projectDir: string): NativeAddon[] {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(projectDir, p))
  const inputs = Object.keys(metafile.inputs)
  const byPackage = new Map<string, string | undefined>()
  for (const input of inputs) {
    const dir = packageDir(abs(input))
    if (dir && !byPackage.has(dir)) byPackage.set(dir, nativeEvidence(dir, projectDir))
    if (input.endsWith('.node') && dir) byPackage.set(dir, relative(projectDir, abs(input)))
  }
  const out: NativeAddon[] = []
  for (const [dir, evidence] of byPackage) {
    if (!evidence) continue
    const pkg = dir
      .slice(dir.lastIndexOf(NODE_MODULES) + NODE_MODULES.length)
      .split(sep)
      .join('/')
    out.push({ pkg, evidence, importer: importerOf(metafile, dir, projectDir) })
  }
  return out
}

/** The project file (outside node_modules) from which the package is reached, found backwards. */
function importerOf(metafile: Metafile, pkgDir: string, projectDir: string): string {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(projectDir, p))
  const importers = new Map<string, string[]>()
  for (const [file, info] of Object.entries(metafile.inputs)) {
    for (const imp of info.imports ?? []) {
      if (imp.external) continue
      const list = importers.get(abs(imp.path)) ?? []
      list.push(abs(file))
      importers.set(abs(imp.path), list)
    }
  }
  const queue = Object.keys(metafile.inputs)
    .map(abs)
    .filter((f) => f.startsWith(pkgDir + sep))
  const seen = new Set(queue)
  while (queue.length > 0) {
    const file = queue.shift()!
    for (const from of importers.get(file) ?? []) {
      if (!from.includes(NODE_MODULES)) return relative(projectDir, from).split(sep).join('/')
      if (!seen.has(from)) {
        seen.add(from)
        queue.push(from)
      }
    }
  }
  return 'a step'
}
