import { createHash } from 'node:crypto'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { embeddedTree, type FileTree, writeTree } from '../runtime/asset-pack'
import { MotiaError } from '../runtime/errors'

const RUNTIME_ASSET = 'dist/.app-runtime'
const APP_DIR = 'app'
const APP_MANIFEST = '.motia-app.json'
/** What a project ships in its executable: its code and config, never data or dependencies. */
const PROJECT_ENTRIES = [
  'steps',
  'src',
  'config.yaml',
  'config.yml',
  'motia.config.ts',
  'motia.config.js',
  'package.json',
  'tsconfig.json',
]

interface AppManifest {
  name: string
  files: string[]
}

/** The bundled runtime: packed in the binary, or in dist/ when running from source after a build. */
function runtimeFiles(): FileTree {
  const found = embeddedTree(RUNTIME_ASSET)
  if (!found?.has('cmd/motia.js'))
    throw new MotiaError(
      'E_PROJECT_INVALID',
      'the bundled runtime is missing: run `bun run build` first, or use the compiled motia binary',
    )
  return found
}

function listFiles(root: string, rel = ''): string[] {
  const abs = join(root, rel)
  if (!statSync(abs).isDirectory()) return [rel]
  return readdirSync(abs)
    .filter((n) => n !== 'node_modules' && (n === '.app-runtime' || !n.startsWith('.')))
    .flatMap((n) => listFiles(root, rel ? `${rel}/${n}` : n))
}

/**
 * `motia build --compile`: one executable holding the runtime and the project's steps. The
 * binary acts as Bun (`BUN_BE_BUN=1`) to compile its own bundled runtime with the project's
 * files embedded as assets; at start-up the app unpacks them and runs `start` on them.
 */
export async function compileApp(opts: {
  dir: string
  outfile: string
}): Promise<{ outfile: string; files: number; bytes: number }> {
  const dir = resolve(opts.dir)
  const outfile = resolve(opts.outfile)
  const work = mkdtempSync(join(tmpdir(), 'motia-compile-'))
  try {
    writeTree(runtimeFiles(), work)
    const files = PROJECT_ENTRIES.filter((e) => existsSync(join(dir, e))).flatMap((e) => listFiles(dir, e))
    for (const f of files) {
      mkdirSync(dirname(join(work, APP_DIR, f)), { recursive: true })
      cpSync(join(dir, f), join(work, APP_DIR, f))
    }
    const manifest: AppManifest = { name: relative(dirname(dir), dir), files }
    writeFileSync(join(work, APP_DIR, APP_MANIFEST), JSON.stringify(manifest))
    mkdirSync(dirname(outfile), { recursive: true })
    const proc = Bun.spawn(
      [
        process.execPath,
        'build',
        '--compile',
        './cmd/motia.js',
        './modules/queue/pool/worker-entry.js',
        './modules/storage/checkpoint-worker.js',
        '--asset',
        APP_DIR,
        // As dist/motia: the project's package.json and tsconfig.json (paths) shape how its
        // step files resolve; its bunfig (a test preload) must not run in production.
        '--no-compile-autoload-bunfig',
        '--outfile',
        outfile,
      ],
      { cwd: work, env: { ...process.env, BUN_BE_BUN: '1' }, stdout: 'pipe', stderr: 'pipe' },
    )
    const [out, err, code] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ])
    if (code !== 0) throw new MotiaError('E_PROJECT_INVALID', `compiling the app failed:\n${out}${err}`)
    return { outfile, files: files.length, bytes: statSync(outfile).size }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

/**
 * Inside an app built with `--compile`: unpacks the embedded project (once per content hash)
 * and returns its directory; undefined in the plain motia binary.
 */
export function embeddedApp(): string | undefined {
  const root = join('/$bunfs/root', APP_DIR)
  const manifestPath = join(root, APP_MANIFEST)
  if (!existsSync(manifestPath)) return undefined
  const text = readFileSync(manifestPath, 'utf8')
  const manifest = JSON.parse(text) as AppManifest
  const hash = createHash('sha256')
  hash.update(text)
  const contents = manifest.files.map((f) => readFileSync(join(root, f)))
  for (const c of contents) hash.update(c)
  const target = join(tmpdir(), `motia-app-${manifest.name}-${hash.digest('hex').slice(0, 16)}`)
  if (!existsSync(join(target, APP_MANIFEST))) {
    manifest.files.forEach((f, i) => {
      mkdirSync(dirname(join(target, f)), { recursive: true })
      writeFileSync(join(target, f), contents[i]!)
    })
    writeFileSync(join(target, APP_MANIFEST), text)
  }
  return target
}
