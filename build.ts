/**
 * Builds `dist/motia`: one executable holding the runtime, the SDK, zod and the worker entry.
 *   bun build.ts [--outfile path] [--no-minify]
 * Worker files are extra entrypoints referred to by their path relative to the project root
 * (BUN-NOTES.md: `new URL(..., import.meta.url)` breaks for nested layouts).
 * `npm run release` (release/release.ts) prepares the assets once and compiles them per target.
 */
import { rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { BunPlugin } from 'bun'
import { buildCliAssets, CLI_ASSETS_DIR } from './build-assets'
import { CONSOLE_PAGE_EXTERNAL, shipConsoleUi } from './modules/console/app-runtime-ui'
import pkg from './package.json' with { type: 'json' }
import { pack, packName, readTree } from './runtime/asset-pack'
import type { BuildInfo } from './runtime/build-info'
import { EXTRA_ENTRYPOINTS } from './runtime/embedded-entries'

const ENTRYPOINTS = ['./cmd/motia.ts', ...EXTRA_ENTRYPOINTS.map((e) => `./${e}.ts`)]
/** Library entries are imported by a computed path when this is defined (runtime/embedded-entries.ts). */
const SPLIT_ENTRIES = { MOTIA_SPLIT_ENTRIES: 'true' }

/**
 * Entries bundled on their own before the build that takes them in. Bun 1.4.5 tree-shakes once for
 * all the entrypoints of a build: the step-facing zod, which exports every export of `zod`, would
 * make the CLI's and the worker's copies keep every export too (the locales: a sixth of the CLI).
 */
const SEPARATE_ENTRIES = ['runtime/zod-library']

/** One bundle of the separate entries per `minify`, for every build of this process (a release compiles per target). */
const separated = new Map<boolean, Promise<BunPlugin>>()

function separateEntries(minify: boolean): Promise<BunPlugin> {
  let plugin = separated.get(minify)
  if (!plugin) {
    plugin = bundleSeparateEntries(minify)
    separated.set(minify, plugin)
  }
  return plugin
}

async function bundleSeparateEntries(minify: boolean): Promise<BunPlugin> {
  const bundled = new Map<string, string>()
  for (const entry of SEPARATE_ENTRIES) {
    const path = resolve(`${entry}.ts`)
    const result = await Bun.build({ entrypoints: [path], target: 'bun', minify, format: 'esm' })
    if (!result.success || !result.outputs[0]) throw new AggregateError(result.logs, `${entry}: bundle failed`)
    bundled.set(path, await result.outputs[0].text())
  }
  return {
    name: 'motia-separate-entries',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        const contents = bundled.get(args.path)
        return contents === undefined ? undefined : { contents, loader: 'js' }
      })
    },
  }
}

/**
 * The entrypoints besides the CLI's, bundled on their own as JS files the binary carries as
 * assets (each lands under its base name at the root of the embedded file system, where
 * runtime/embedded-entries.ts finds it). As entrypoints of the compile they would get bytecode
 * too (~3.3x their JS: the executable grew 20 MB, over the 15 MB budget of docs/release.md), and
 * their source maps (5 MB) would not fit either: stack frames inside them are minified names.
 */
async function bundledEntries(minify: boolean, info: BuildInfo): Promise<string[]> {
  const out = 'dist/.entries'
  rmSync(out, { recursive: true, force: true })
  const files: string[] = []
  const separate = await separateEntries(minify)
  for (const entry of EXTRA_ENTRYPOINTS) {
    const result = await Bun.build({
      entrypoints: [`./${entry}.ts`],
      target: 'bun',
      minify,
      format: 'esm',
      outdir: out,
      naming: '[name].js',
      define: { MOTIA_BUILD: JSON.stringify(info), MOTIA_WORKER_EXT: '"js"', ...SPLIT_ENTRIES },
      plugins: [separate],
    })
    if (!result.success) throw new AggregateError(result.logs, `${entry}: bundle failed`)
    files.push(...result.outputs.map((o) => o.path))
  }
  return files
}

/**
 * Which functions of the CLI a `motia start` of a hello project runs, recorded by
 * release/bytecode-order.ts. The compile lays their bytecode out together, first: the start reads
 * fewer pages of the executable (hello project idle RSS, bench/README.md "startup and idle RSS").
 */
export const BYTECODE_ORDER = 'release/motia-start.order'

/** Where the bundled runtime for `motia build --compile` is written, then embedded as an asset. */
export const APP_RUNTIME_DIR = 'dist/.app-runtime'

/**
 * Stage 1: the runtime as plain bundled JS (CLI + worker entry, every dependency inlined).
 * `motia build --compile` recompiles it together with a project's files, from inside the
 * binary, where the TypeScript sources are not available.
 */
async function buildAppRuntime(minify: boolean, identity: Omit<BuildInfo, 'target'>): Promise<void> {
  const result = await Bun.build({
    entrypoints: ENTRYPOINTS,
    root: '.',
    target: 'bun',
    minify,
    outdir: APP_RUNTIME_DIR,
    naming: '[dir]/[name].js',
    plugins: [await separateEntries(minify)],
    define: { MOTIA_WORKER_EXT: '"js"', MOTIA_BUILD: JSON.stringify(identity), ...SPLIT_ENTRIES },
    // The console page's import stays as written; its sources ride along (app-runtime-ui.ts).
    external: [CONSOLE_PAGE_EXTERNAL],
  })
  if (!result.success) {
    for (const log of result.logs) console.error(log)
    throw new Error('build of the app runtime failed')
  }
  shipConsoleUi(APP_RUNTIME_DIR)
}

/** The directories the binary carries, each embedded as one compressed pack (runtime/asset-pack.ts). */
export const PACKED_DIRS = [APP_RUNTIME_DIR, CLI_ASSETS_DIR]

/** The host's own target, as `motia version` names it: what `bun build --compile` makes by default. */
export function hostTarget(): string {
  return `${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`
}

/** Version (package.json), commit (git, when in a checkout) and build date (SOURCE_DATE_EPOCH if set). */
export function buildIdentity(): Omit<BuildInfo, 'target'> {
  const git = (args: string[]) => {
    const r = Bun.spawnSync(['git', ...args], { cwd: import.meta.dir, stdout: 'pipe', stderr: 'ignore' })
    return r.success ? r.stdout.toString().trim() : undefined
  }
  const head = git(['rev-parse', '--short=12', 'HEAD'])
  const dirty = head !== undefined && git(['status', '--porcelain', '--untracked-files=no']) !== ''
  const epoch = Number(process.env.SOURCE_DATE_EPOCH)
  return {
    version: pkg.version,
    commit: head === undefined ? null : `${head}${dirty ? '-dirty' : ''}`,
    date: new Date(Number.isFinite(epoch) && epoch > 0 ? epoch * 1000 : Date.now()).toISOString(),
  }
}

/**
 * Everything the binary embeds besides its own code, built once whatever the number of targets:
 * the bundled runtime for `build --compile`, the CLI assets, and a pack of each. `packLevel`
 * is zstd's (19 for a release: a few seconds more for a slightly smaller pack).
 */
export async function prepareAssets(opts: {
  minify: boolean
  identity: Omit<BuildInfo, 'target'>
  packLevel?: number
}): Promise<string[]> {
  rmSync(APP_RUNTIME_DIR, { recursive: true, force: true })
  await Promise.all([buildAppRuntime(opts.minify, opts.identity), buildCliAssets(CLI_ASSETS_DIR, opts.minify)])
  return PACKED_DIRS.map((dir) => {
    const file = join('dist', packName(dir))
    writeFileSync(file, pack(readTree(dir), opts.packLevel ?? 12))
    return file
  })
}

/**
 * Compiles the runtime with the packs for one target (`linux-x64`, `linux-arm64-musl`, ...: Bun's
 * `bun-<target>`); Bun fetches another target's runtime from the npm registry once, then caches it.
 */
export async function compileBinary(opts: {
  outfile: string
  minify: boolean
  info: BuildInfo
  packs: string[]
  /** Bun's compile target without the `bun-` prefix; the host's when absent. */
  bunTarget?: string
}): Promise<void> {
  const entries = await bundledEntries(opts.minify, opts.info)
  const result = await Bun.build({
    entrypoints: ['./cmd/motia.ts'],
    root: '.',
    target: 'bun',
    minify: opts.minify,
    // Bytecode spares each start the parse of the CLI's 1.1 MB bundle: the 50-step start-up went
    // from ~2.6x bare Elysia's to ~1.35x (bench/startup.ts). It is ~3.3x the JS it stands for,
    // so only this entry has it; the others are assets (`bundledEntries`), parsed when first used.
    bytecode: true,
    // No `splitting` (it would keep one copy of the code the worker entries share, ~1.5 MB): in
    // Bun 1.4.5 a compiled chunk imports another as `/chunk-….js`, which the executable lacks.
    sourcemap: 'inline',
    format: 'esm',
    define: { MOTIA_BUILD: JSON.stringify(opts.info), ...SPLIT_ENTRIES },
    compile: {
      outfile: opts.outfile,
      ...(opts.bunTarget ? { target: `bun-${opts.bunTarget}` } : {}),
      // The binary runs inside user projects. Their package.json files (main, exports maps,
      // type) and tsconfig.json (paths) must shape how their step files resolve packages, as
      // `bun` does from source: without them only packages with a root index.js resolve. The
      // runtime itself is bundled, so neither changes how it resolves its own modules; `motia`
      // and `zod` are registered by name (runtime/builtin-modules.ts). A project's bunfig is
      // for its own `bun test` (a preload) and must not run inside the server.
      autoloadBunfig: false,
      autoloadTsconfig: true,
      autoloadPackageJson: true,
      assets: [...opts.packs, ...entries],
      // The JIT's tier-up thresholds x100 until the server is ready (cmd/serve.ts sets them back):
      // start-up code runs once, and compiling it touched the optimising JIT's machine code and
      // filled the heap. `motia start`, hello project, 1 s after the first 200: 2.6 MB less RSS,
      // and less start-up CPU (bench/README.md "startup and idle RSS"). `BUN_BE_BUN=1` runs
      // (`motia test`) keep the normal thresholds.
      jitPolicy: 100,
      bytecodeOrder: BYTECODE_ORDER,
    } as Bun.BuildConfig['compile'],
  })
  if (!result.success) {
    for (const log of result.logs) console.error(log)
    throw new Error(`build failed${opts.bunTarget ? ` for ${opts.bunTarget}` : ''}`)
  }
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
    const started = performance.now()
    const identity = buildIdentity()
    const packs = await prepareAssets({ minify, identity })
    await compileBinary({ outfile: target, minify, info: { ...identity, target: hostTarget() }, packs })
    console.log(`built ${target} in ${Math.round(performance.now() - started)} ms`)
    return target
  } finally {
    process.chdir(cwd)
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Bun.argv.slice(2),
    options: { outfile: { type: 'string', default: 'dist/motia' }, 'no-minify': { type: 'boolean', default: false } },
  })
  await buildBinary(values.outfile, !values['no-minify'])
}
