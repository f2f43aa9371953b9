import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { embeddedTree, type FileTree } from '../runtime/asset-pack'
import { buildInfo } from '../runtime/build-info'
import { ORIGIN_FILE, type RuntimeOrigin } from '../runtime/test-runtime-origin'

/**
 * What the binary writes into a project for its tooling: `.motia/types` (editors), the test
 * runtime `.motia/runtime` (plain `bun test` and `motia test`) and the bunfig.toml line that
 * preloads it. `motia create`, `install`, `generate-types` and `test` write them; `dev`
 * refreshes a runtime that is there.
 */

const ASSETS = 'dist/.motia-assets'

/**
 * What `build-assets.ts` produced, by path: packed in the binary, or in dist/ when running from
 * source (runtime/asset-pack.ts).
 */
export function cliAssets(): FileTree {
  const found = embeddedTree(ASSETS)
  if (!found?.has('templates.json')) {
    throw new Error('templates and SDK types are missing: run `bun run build` first, or use the compiled motia binary')
  }
  return found
}

/** One file of the CLI assets as text (`templates.json`, `types.json`). */
export function cliAssetText(path: string): string {
  const bytes = cliAssets().get(path)
  if (!bytes) throw new Error(`the binary's assets lack ${path}: rebuild it (bun run build)`)
  return Buffer.from(bytes).toString('utf8')
}

/** Writes each file unless it already holds that content; returns how many were written. */
export function writeFiles(root: string, files: Record<string, string | Uint8Array>): number {
  let written = 0
  for (const [rel, content] of Object.entries(files)) {
    const file = join(root, rel)
    if (existsSync(file) && Buffer.from(readFileSync(file)).equals(Buffer.from(content))) continue
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, content)
    written++
  }
  return written
}

/**
 * `.motia/types/`: declarations of `motia`, `motia/testing`, `zod` and `bun:test`, which the
 * project's tsconfig.json maps to, so editors type a project that has no node_modules.
 */
export function writeEditorTypes(dir: string): void {
  const types = JSON.parse(cliAssetText('types.json')) as Record<string, string>
  writeFiles(join(dir, '.motia', 'types'), types)
}

/**
 * `.motia/runtime/`: the runtime and SDK as plain JS for `bun test` (plain, or through `motia
 * test`, which runs the binary as Bun), where the binary's embedded modules are absent. Rewritten
 * whenever its content differs from this binary's, so any motia command refreshes it after an
 * upgrade; `origin.json` lets the preload report a binary changed since. Returns the preload.
 */
export function writeTestRuntime(dir: string): string {
  const files: Record<string, string | Uint8Array> = {}
  for (const [path, bytes] of cliAssets()) if (path.startsWith('runtime/')) files[path.slice('runtime/'.length)] = bytes
  const binary = statSync(process.execPath)
  const origin: RuntimeOrigin = {
    ...buildInfo(),
    binary: process.execPath,
    size: binary.size,
    mtimeMs: binary.mtimeMs,
  }
  files[ORIGIN_FILE] = `${JSON.stringify(origin, null, 2)}\n`
  writeFiles(join(dir, '.motia', 'runtime'), files)
  return join(dir, '.motia', 'runtime', 'motia-test.js')
}

export const TEST_PRELOAD = './.motia/runtime/motia-test.js'
export const BUNFIG_TEST = `[test]
# motia, motia/testing and zod for plain \`bun test\`, with no node_modules: the motia binary
# writes this runtime (motia create, install, generate-types, dev and test refresh it).
preload = ["${TEST_PRELOAD}"]
coveragePathIgnorePatterns = [".motia/**"]
`

/**
 * Makes plain `bun test` preload the runtime: writes bunfig.toml, or adds a `[test]` section to
 * one that has none. A bunfig.toml with its own `[test]` section is left alone: the returned
 * message says which line to add.
 */
export function ensureBunfigPreload(dir: string): { status: 'written' | 'present' | 'manual'; message?: string } {
  const file = join(dir, 'bunfig.toml')
  if (!existsSync(file)) {
    writeFileSync(file, BUNFIG_TEST)
    return { status: 'written' }
  }
  const text = readFileSync(file, 'utf8')
  if (text.includes(TEST_PRELOAD)) return { status: 'present' }
  if (!/^\s*\[test\]\s*$/m.test(text)) {
    writeFileSync(file, `${text.replace(/\n*$/, '\n\n')}${BUNFIG_TEST}`)
    return { status: 'written' }
  }
  return {
    status: 'manual',
    message: `bunfig.toml has a [test] section: add "${TEST_PRELOAD}" to its preload list so plain \`bun test\` finds motia and zod`,
  }
}

/**
 * Everything a project's tooling reads from `.motia/` (editor declarations, the test runtime)
 * and the bunfig.toml line that makes plain `bun test` use it.
 */
export function writeProjectTooling(dir: string): { notes: string[] } {
  writeEditorTypes(dir)
  writeTestRuntime(dir)
  const bunfig = ensureBunfigPreload(dir)
  return { notes: bunfig.message ? [bunfig.message] : [] }
}
