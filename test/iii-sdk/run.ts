/**
 * Runs iii's own Node SDK test suite (test/iii-sdk/suite/, copied by sync.ts from a pinned commit)
 * against `dist/motia` started on the suite's config (suite/sdk/fixtures/config-test.yaml).
 *
 *   bun test/iii-sdk/run.ts [--binary path] [--json out.json] [vitest filters...]
 *
 * 1. Installs the suite's npm dependencies (its package.json `dependencies` and vitest) into
 *    test/iii-sdk/.deps (npm registry, once; git-ignored), linked as suite/node_modules.
 * 2. Starts the binary in a temp project whose config.yaml is the suite's config. The suite
 *    hard-codes its ports (49199 worker, 3199 HTTP), so these must be free: the runner says so
 *    and stops when they are not.
 * 3. Runs vitest and prints each test's outcome and a `N passed, N failed` line. The files in
 *    OUT_OF_SCOPE_FILES are left out unless `--all` (they need engines this runner does not start).
 */
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const HERE = import.meta.dir
/** The SDK package inside the copied tree (sync.ts keeps the repository's paths). */
const SUITE = join(HERE, 'suite', 'sdk', 'packages', 'node', 'iii')
const CONFIG = join(HERE, 'suite', 'sdk', 'fixtures', 'config-test.yaml')
export const DEPS = join(HERE, '.deps')
const ROOT = join(HERE, '..', '..')
/** The suite's hard-coded ports (tests/utils.ts): the worker port and the REST API. */
export const SUITE_PORTS = { worker: 49199, http: 3199 }
/**
 * Files left out unless `--all`: they test iii's Bridge adapters against two more engines
 * (sdk/fixtures/config-bridge.yaml on 49197 forwarding to a backend on 49198), which this runner
 * does not start (docs/iii.md, out of scope). Run with `--all`, each of their tests waits 30 s.
 */
export const OUT_OF_SCOPE_FILES = ['tests/bridge-state.test.ts', 'tests/bridge-stream.test.ts']

export interface SuiteResult {
  tests: { file: string; name: string; status: 'passed' | 'failed' | 'skipped'; message?: string }[]
  passed: number
  failed: number
  skipped: number
  engineOutput: string
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer()
    srv.once('error', () => resolve(false))
    srv.listen({ port, host: '0.0.0.0', exclusive: true }, () => srv.close(() => resolve(true)))
  })
}

/** Installs the suite's dependencies into .deps once (again when the suite's package.json changes). */
export function installDeps(): void {
  const pkg = JSON.parse(readFileSync(join(SUITE, 'package.json'), 'utf8'))
  const wanted = {
    name: 'iii-sdk-suite-deps',
    private: true,
    // The published SDK of the same version, for bench/iii-worker.ts's Node worker (the suite imports ../src).
    dependencies: { ...pkg.dependencies, vitest: pkg.devDependencies.vitest, 'iii-sdk': pkg.version },
  }
  const manifest = JSON.stringify(wanted, null, 2)
  const stamp = join(DEPS, '.installed')
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== manifest) {
    mkdirSync(DEPS, { recursive: true })
    writeFileSync(join(DEPS, 'package.json'), manifest)
    const npm = Bun.spawnSync(['npm', 'install', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: DEPS,
      stdout: 'inherit',
      stderr: 'inherit',
    })
    if (npm.exitCode !== 0) throw new Error(`npm install of the iii suite's dependencies failed in ${DEPS}`)
    writeFileSync(stamp, manifest)
  }
  // suite/.../node_modules is a link to .deps (vitest's cache may have made a real dir there).
  const link = join(SUITE, 'node_modules')
  const target = join(DEPS, 'node_modules')
  const current = lstatSync(link, { throwIfNoEntry: false })
  if (current?.isSymbolicLink() && readlinkSync(link) === target) return
  if (current) rmSync(link, { recursive: true, force: true })
  symlinkSync(target, link)
}

async function startEngine(binary: string, project: string): Promise<{ stop(): Promise<void>; output(): string }> {
  const proc = Bun.spawn([binary, 'start', '--dir', project], {
    cwd: project,
    env: { ...process.env, STREAMS_PORT: '0' },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  })
  let out = ''
  const decoder = new TextDecoder()
  let onData: (() => void) | undefined
  const pump = async (s: ReadableStream<Uint8Array>) => {
    for await (const c of s) {
      out += decoder.decode(c)
      onData?.()
    }
  }
  void pump(proc.stdout)
  void pump(proc.stderr)
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`motia did not become ready in 20 s:\n${out}`)), 20_000)
    onData = () => {
      if (/"msg":"motia start ready"/.test(out)) {
        clearTimeout(timer)
        resolve()
      }
    }
    proc.exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`motia exited with ${code} before ready:\n${out}`))
    })
  })
  return {
    output: () => out,
    async stop() {
      proc.kill('SIGTERM')
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000)
      await proc.exited
      clearTimeout(timer)
    },
  }
}

interface VitestJson {
  testResults: {
    name: string
    message?: string
    assertionResults: { fullName: string; status: string; failureMessages?: string[] }[]
  }[]
}

export async function runSuite(
  opts: { binary?: string; filters?: string[]; all?: boolean } = {},
): Promise<SuiteResult> {
  const binary = opts.binary ?? join(ROOT, 'dist', 'motia')
  if (!existsSync(binary)) throw new Error(`${binary} does not exist: build it first (npm run build)`)
  for (const [role, port] of Object.entries(SUITE_PORTS)) {
    if (!(await portFree(port))) {
      throw new Error(
        `port ${port} (the iii suite's ${role} port, hard-coded in the suite's tests/utils.ts) is in use: stop whatever listens there and run again`,
      )
    }
  }
  installDeps()
  const project = mkdtempSync(join(tmpdir(), 'motia-iii-suite-'))
  const report = join(project, 'vitest.json')
  let engine: Awaited<ReturnType<typeof startEngine>> | undefined
  try {
    writeFileSync(join(project, 'config.yaml'), readFileSync(CONFIG))
    engine = await startEngine(binary, project)
    const vitest = Bun.spawn(
      [
        'node',
        join(DEPS, 'node_modules', 'vitest', 'vitest.mjs'),
        'run',
        '--reporter=json',
        `--outputFile=${report}`,
        ...(opts.all ? [] : OUT_OF_SCOPE_FILES.flatMap((f) => ['--exclude', f])),
        ...(opts.filters ?? []),
      ],
      { cwd: SUITE, stdout: 'pipe', stderr: 'pipe', env: { ...process.env, CI: '1' } },
    )
    const [stdout, stderr] = await Promise.all([new Response(vitest.stdout).text(), new Response(vitest.stderr).text()])
    await vitest.exited
    if (!existsSync(report)) throw new Error(`vitest wrote no report:\n${stdout}\n${stderr}`)
    const json = JSON.parse(readFileSync(report, 'utf8')) as VitestJson
    const tests: SuiteResult['tests'] = []
    for (const file of json.testResults) {
      const rel = file.name.slice(SUITE.length + 1)
      if (file.assertionResults.length === 0) {
        tests.push({ file: rel, name: '(file)', status: 'failed', message: file.message })
      }
      for (const t of file.assertionResults) {
        const status = t.status === 'passed' ? 'passed' : t.status === 'failed' ? 'failed' : 'skipped'
        tests.push({ file: rel, name: t.fullName, status, message: t.failureMessages?.[0]?.split('\n')[0] })
      }
    }
    const count = (s: string) => tests.filter((t) => t.status === s).length
    return {
      tests,
      passed: count('passed'),
      failed: count('failed'),
      skipped: count('skipped'),
      engineOutput: engine.output(),
    }
  } finally {
    await engine?.stop()
    rmSync(project, { recursive: true, force: true })
  }
}

if (import.meta.main) {
  const args = process.argv.slice(2)
  const flag = (name: string) => {
    const i = args.indexOf(name)
    if (i < 0) return undefined
    const [, v] = args.splice(i, 2)
    return v
  }
  const binary = flag('--binary')
  const jsonOut = flag('--json')
  const verbose = args.includes('--verbose')
  const all = args.includes('--all')
  const filters = args.filter((a) => a !== '--verbose' && a !== '--all')
  try {
    const r = await runSuite({ ...(binary ? { binary } : {}), filters, all })
    for (const t of r.tests) {
      const mark = t.status === 'passed' ? 'pass' : t.status === 'failed' ? 'FAIL' : 'skip'
      console.log(`${mark}  ${t.file} > ${t.name}${t.status === 'failed' && t.message ? `\n        ${t.message}` : ''}`)
    }
    if (verbose) console.log(r.engineOutput)
    if (jsonOut) writeFileSync(jsonOut, JSON.stringify(r, null, 2))
    const excluded = all ? '' : ` (left out: ${OUT_OF_SCOPE_FILES.join(', ')}; --all runs them)`
    console.log(`${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''}${excluded}`)
  } catch (err) {
    console.error(err instanceof Error ? err.message : err)
    process.exit(1)
  }
}
