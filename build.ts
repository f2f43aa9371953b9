/**
 * Builds `dist/motia`: one executable holding the runtime, the SDK, zod and the worker entry.
 *   bun build.ts [--outfile path] [--no-minify]
 * Worker files are extra entrypoints referred to by their path relative to the project root
 * (BUN-NOTES.md: `new URL(..., import.meta.url)` breaks for nested layouts).
 */
import { rmSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { buildCliAssets, CLI_ASSETS_DIR } from './build-assets'
import { CONSOLE_PAGE_EXTERNAL, shipConsoleUi } from './modules/console/app-runtime-ui'

export const WORKER_ENTRYPOINTS: string[] = [
  './modules/queue/pool/worker-entry.ts',
  './modules/storage/checkpoint-worker.ts',
]

/** Where the bundled runtime for `motia build --compile` is written, then embedded as an asset. */
export const APP_RUNTIME_DIR = 'dist/.app-runtime'

/**
 * Stage 1: the runtime as plain bundled JS (CLI + worker entry, every dependency inlined).
 * `motia build --compile` recompiles it together with a project's files, from inside the
 * binary, where the TypeScript sources are not available.
 */
async function buildAppRuntime(minify: boolean): Promise<void> {
  const result = await Bun.build({
    entrypoints: ['./cmd/motia.ts', ...WORKER_ENTRYPOINTS],
    root: '.',
    target: 'bun',
    minify,
    outdir: APP_RUNTIME_DIR,
    naming: '[dir]/[name].js',
    define: { MOTIA_WORKER_EXT: '"js"' },
    // The console page's import stays as written; its sources ride along (app-runtime-ui.ts).
    external: [CONSOLE_PAGE_EXTERNAL],
  })
  if (!result.success) {
    for (const log of result.logs) console.error(log)
    throw new Error('build of the app runtime failed')
  }
  shipConsoleUi(APP_RUNTIME_DIR)
}

/**
 * Every path of the build is relative to the repository root, so the build runs there
 * whatever the caller's working directory (tests and benches call it from anywhere).
 */
export async function buildBinary(outfile = 'dist/motia', minify = true): Promise<string> {
  const target = resolve(outfile)
  const cwd = process.cwd()
  process.chdir(import.meta.dir)
  try {
    return await build(target, minify)
  } finally {
    process.chdir(cwd)
  }
}

async function build(outfile: string, minify: boolean): Promise<string> {
  const started = performance.now()
  rmSync(APP_RUNTIME_DIR, { recursive: true, force: true })
  await Promise.all([buildAppRuntime(minify), buildCliAssets(CLI_ASSETS_DIR, minify)])
  const result = await Bun.build({
    entrypoints: ['./cmd/motia.ts', ...WORKER_ENTRYPOINTS],
    root: '.',
    target: 'bun',
    minify,
    sourcemap: 'inline',
    compile: {
      outfile,
      // The binary runs inside user projects. Their package.json files (main, exports maps,
      // type) and tsconfig.json (paths) must shape how their step files resolve packages, as
      // `bun` does from source: without them only packages with a root index.js resolve. The
      // runtime itself is bundled, so neither changes how it resolves its own modules; `motia`
      // and `zod` are registered by name (runtime/builtin-modules.ts). A project's bunfig is
      // for its own `bun test` (a preload) and must not run inside the server.
      autoloadBunfig: false,
      autoloadTsconfig: true,
      autoloadPackageJson: true,
      assets: [APP_RUNTIME_DIR, CLI_ASSETS_DIR],
    } as Bun.BuildConfig['compile'],
  })
  if (!result.success) {
    for (const log of result.logs) console.error(log)
    throw new Error('build failed')
  }
  console.log(`built ${outfile} in ${Math.round(performance.now() - started)} ms`)
  return outfile
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Bun.argv.slice(2),
    options: { outfile: { type: 'string', default: 'dist/motia' }, 'no-minify': { type: 'boolean', default: false } },
  })
  await buildBinary(values.outfile, !values['no-minify'])
}
