import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { embeddedTree, type FileTree, writeTree } from '../runtime/asset-pack'
import { bundleProject, MODULE_FILE } from '../runtime/compiled-app/bundle-project'
import { APP_DIR, APP_MANIFEST, type AppManifest } from '../runtime/compiled-app/embedded-app'
import { bunTarget, type CompileTarget, executableName } from '../runtime/compiled-app/targets'
import { EXTRA_ENTRYPOINTS } from '../runtime/embedded-entries'
import { MotiaError } from '../runtime/errors'
import { PROJECT_CONFIG_FILES } from '../runtime/project-config'

const RUNTIME_ASSET = 'dist/.app-runtime'
/** What a project ships in its executable: its code and config, never its data (.motia, .env). */
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
 * The project files carried as they are: config, package.json, Python steps, data files under
 * steps/ and src/. Its TS/JS modules are not: the bundles (bundle-project.ts) replace them.
 */
function carriedFiles(dir: string): string[] {
  return PROJECT_ENTRIES.filter((e) => existsSync(join(dir, e)))
    .flatMap((e) => listFiles(dir, e))
    .filter((f) => !PROJECT_CONFIG_FILES.includes(f) && !(/^(steps|src)\//.test(f) && MODULE_FILE.test(f)))
}

/**
 * `motia build --compile`: one executable holding the runtime and the project. Its steps are
 * bundled with every npm package they import, so the app runs where there is no node_modules.
 * The binary acts as Bun (`BUN_BE_BUN=1`) to compile its own bundled runtime with the project's
 * files embedded as assets, for this platform or `target`; at start-up the app unpacks them
 * into a private directory (runtime/compiled-app/embedded-app.ts) and runs `start` on them.
 */
export async function compileApp(opts: { dir: string; outfile: string; target?: CompileTarget }): Promise<{
  outfile: string
  files: number
  bytes: number
  warnings: string[]
}> {
  const dir = resolve(opts.dir)
  const work = mkdtempSync(join(tmpdir(), 'motia-compile-'))
  try {
    writeTree(runtimeFiles(), work)
    const appDir = join(work, APP_DIR)
    const bundle = await bundleProject(dir, appDir)
    const carried = carriedFiles(dir)
    for (const f of carried) {
      mkdirSync(dirname(join(appDir, f)), { recursive: true })
      cpSync(join(dir, f), join(appDir, f))
    }
    const files = [...bundle.files, ...carried].sort()
    const manifest: AppManifest = { name: relative(dirname(dir), dir), files }
    writeFileSync(join(appDir, APP_MANIFEST), JSON.stringify(manifest))
    const outfile = resolve(opts.outfile)
    mkdirSync(dirname(outfile), { recursive: true })
    // Compiled under a name of its own, then copied: Bun embeds the entry point under the
    // executable's name, so an app called `app` (APP_DIR) failed to compile.
    const compiled = join(work, 'motia-app-executable')
    const proc = Bun.spawn(
      [
        process.execPath,
        'build',
        '--compile',
        './cmd/motia.js',
        ...EXTRA_ENTRYPOINTS.map((e) => `./${e}.js`),
        '--asset',
        APP_DIR,
        // As dist/motia: a bunfig in the working directory (a test preload) must not run in production.
        '--no-compile-autoload-bunfig',
        // As dist/motia (build.ts `jitPolicy`): start-up code stays interpreted until ready.
        '--compile-jit-policy=100',
        ...(opts.target ? ['--target', bunTarget(opts.target)] : []),
        '--outfile',
        compiled,
      ],
      { cwd: work, env: { ...process.env, BUN_BE_BUN: '1' }, stdout: 'pipe', stderr: 'pipe' },
    )
    const [out, err, code] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ])
    if (code !== 0) throw new MotiaError('E_PROJECT_INVALID', `compiling the app failed:\n${out}${err}`)
    const written = executableName(outfile, opts.target)
    copyFileSync(executableName(compiled, opts.target), written)
    return { outfile: written, files: files.length, bytes: statSync(written).size, warnings: bundle.warnings }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}
