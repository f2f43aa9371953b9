/**
 * Files the binary carries for `motia create` and `motia test`, built into `dist/.motia-assets`
 * and embedded as an asset (build.ts):
 *   templates.json           every template under templates/, file by file
 *   types.json               declaration files written to <project>/.motia/types: the SDK
 *                            (`motia`, `motia/testing`), zod, `bun:test`
 *   runtime/motia-test.js    the runtime + SDK as plain JS: `motia test` runs the binary as Bun
 *   runtime/worker-entry.js  (BUN_BE_BUN=1), where the embedded modules are absent, and preloads it
 *   bun build-assets.ts [--outdir dir]
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { parseArgs } from 'node:util'

export const CLI_ASSETS_DIR = 'dist/.motia-assets'

const ROOT = import.meta.dir
/** The SDK modules a project may import, and the declaration file each one maps to. */
const SDK_ENTRIES = ['sdk/index.ts', 'sdk/testing.ts']

export async function buildCliAssets(outdir = CLI_ASSETS_DIR, minify = true): Promise<void> {
  const out = join(ROOT, outdir)
  rmSync(out, { recursive: true, force: true })
  mkdirSync(out, { recursive: true })
  const [types] = await Promise.all([declarationFiles(), testRuntime(join(out, 'runtime'), minify)])
  writeFileSync(join(out, 'types.json'), JSON.stringify(types))
  writeFileSync(join(out, 'templates.json'), JSON.stringify(templates()))
}

/** `templates/<name>/**` as `{ name: { path: text } }`, without data or dependencies. */
function templates(): Record<string, Record<string, string>> {
  const dir = join(ROOT, 'templates')
  const out: Record<string, Record<string, string>> = {}
  for (const name of readdirSync(dir).sort()) {
    if (!statSync(join(dir, name)).isDirectory()) continue
    out[name] = Object.fromEntries(
      listFiles(join(dir, name), (n) => n !== '.motia' && n !== 'node_modules' && n !== 'dist').map((f) => [
        f,
        readFileSync(join(dir, name, f), 'utf8'),
      ]),
    )
  }
  return out
}

/**
 * The runtime as one JS file to preload into `bun test` (it registers `motia`, `motia/testing`
 * and `zod`), and the worker entries next to it. Each worker is found beside the module that
 * spawns it: point those at the `.js` bundles.
 */
async function testRuntime(outdir: string, minify: boolean): Promise<void> {
  const SPAWNERS: Record<string, string> = {
    'modules/queue/pool/worker-pool.ts': 'worker-entry',
    'modules/storage/checkpointer.ts': 'checkpoint-worker',
  }
  const result = await Bun.build({
    entrypoints: [
      join(ROOT, 'cmd/test-preload.ts'),
      join(ROOT, 'modules/queue/pool/worker-entry.ts'),
      join(ROOT, 'modules/storage/checkpoint-worker.ts'),
    ],
    root: ROOT,
    target: 'bun',
    minify,
    outdir,
    naming: '[name].js',
    plugins: [
      {
        name: 'worker-entry-js',
        setup(build) {
          const filter = new RegExp(`(${Object.keys(SPAWNERS).join('|').replaceAll('.', '\\.')})$`)
          build.onLoad({ filter }, async (args) => {
            const entry = SPAWNERS[relative(ROOT, args.path)]!
            const url = `new URL('./${entry}.ts', import.meta.url)`
            const text = await Bun.file(args.path).text()
            if (!text.includes(url)) throw new Error(`${args.path} no longer contains ${url}`)
            return { contents: text.replace(url, `new URL('./${entry}.js', import.meta.url)`), loader: 'ts' }
          })
        },
      },
    ],
  })
  if (!result.success) {
    for (const log of result.logs) console.error(log)
    throw new Error('build of the test runtime failed')
  }
  const preload = join(outdir, 'test-preload.js')
  writeFileSync(join(outdir, 'motia-test.js'), readFileSync(preload))
  rmSync(preload)
}

/** `{ 'motia/index.d.ts': text, 'zod/index.d.ts': text, 'bun/test.d.ts': text, ... }` */
export async function declarationFiles(): Promise<Record<string, string>> {
  const files: Record<string, string> = {}
  const tmp = mkdtempSync(join(tmpdir(), 'motia-dts-'))
  try {
    const tsc = Bun.spawn(
      [
        join(ROOT, 'node_modules/.bin/tsc'),
        '--ignoreConfig',
        ...SDK_ENTRIES.map((e) => join(ROOT, e)),
        '--declaration',
        '--emitDeclarationOnly',
        // Type errors are `bun run check`'s business; here only the declarations matter.
        '--noCheck',
        '--outDir',
        tmp,
        '--rootDir',
        ROOT,
        '--target',
        'esnext',
        '--module',
        'preserve',
        '--moduleResolution',
        'bundler',
        '--types',
        'bun-types',
        '--lib',
        'esnext',
        '--strict',
        '--skipLibCheck',
      ],
      { cwd: ROOT, stdout: 'pipe', stderr: 'pipe' },
    )
    const [stdout, code] = await Promise.all([new Response(tsc.stdout).text(), tsc.exited])
    if (code !== 0) throw new Error(`declarations of the SDK failed:\n${stdout}`)
    // Only the SDK's own files: their imports must stay among themselves (and zod).
    for (const f of readdirSync(join(tmp, 'sdk'))) {
      const text = readFileSync(join(tmp, 'sdk', f), 'utf8')
      for (const m of text.matchAll(/^(?:import|export)\b[^;]*?from '([^']+)'/gm)) {
        if (!m[1]!.startsWith('./') && m[1] !== 'zod') throw new Error(`sdk/${f} refers to ${m[1]}: not a public type`)
      }
      files[`motia/${f}`] = text
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
  for (const [from, roots, to] of [
    ['node_modules/zod', ['index.d.ts', 'v4/index.d.ts'], 'zod'],
    ['node_modules/bun-types', ['test.d.ts'], 'bun'],
  ] as const) {
    for (const f of declarationClosure(join(ROOT, from), roots))
      files[`${to}/${f}`] = readFileSync(join(ROOT, from, f), 'utf8')
  }
  return files
}

/** The `.d.ts` files reachable from `roots` through relative imports, as paths under `dir`. */
function declarationClosure(dir: string, roots: readonly string[]): string[] {
  const seen = new Set<string>()
  const queue = roots.map((r) => join(dir, r))
  while (queue.length > 0) {
    const file = queue.pop()!
    if (seen.has(file)) continue
    seen.add(file)
    // Without comments: their examples show imports too.
    const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, '')
    for (const m of text.matchAll(/(?:from\s*|import\s*\(\s*)["'](\.{1,2}\/[^"']+)["']/g)) {
      const base = join(dirname(file), m[1]!)
      const found = [base.replace(/\.js$/, '.d.ts'), `${base}.d.ts`, join(base, 'index.d.ts')].find(
        (f) => existsSync(f) && statSync(f).isFile(),
      )
      if (!found) throw new Error(`${relative(dir, file)}: cannot find the declarations of ${m[1]}`)
      queue.push(found)
    }
  }
  return [...seen].map((f) => relative(dir, f)).sort()
}

function listFiles(root: string, keep: (name: string) => boolean, rel = ''): string[] {
  return readdirSync(join(root, rel))
    .filter(keep)
    .flatMap((n) => {
      const r = rel ? `${rel}/${n}` : n
      return statSync(join(root, r)).isDirectory() ? listFiles(root, keep, r) : [r]
    })
    .sort()
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Bun.argv.slice(2),
    options: { outdir: { type: 'string', default: CLI_ASSETS_DIR } },
  })
  await buildCliAssets(values.outdir)
}
