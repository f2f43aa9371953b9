/**
 * Runs iii's own Node SDK test suite (test/iii-sdk/suite/, copied by sync.ts from a pinned commit)
 * against `dist/motia` started on the suite's config (suite/sdk/fixtures/config-test.yaml).
 *
 *   bun test/iii-sdk/run.ts [--binary path] [--json out.json] [--no-bridge] [vitest filters...]
 *
 * 1. Installs the suite's npm dependencies (its package.json `dependencies` and vitest) into
 *    test/iii-sdk/.deps (npm registry, once; git-ignored), linked as suite/node_modules.
 * 2. Starts the binary in a temp project whose config.yaml is the suite's config. The suite
 *    hard-codes its ports (49199 worker, 3199 HTTP), so these must be free: the runner says so
 *    and stops when they are not.
 * 3. Starts the two engines of the bridge tests (BRIDGE_FILES; `--no-bridge` leaves them out).
 * 4. Runs vitest and prints each test's outcome and a `N passed, N failed` line.
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
import { dirname, join } from 'node:path'
import { startMotia } from '../support/binary'

const HERE = import.meta.dir
/** The SDK package inside the copied tree (sync.ts keeps the repository's paths). */
const SUITE = join(HERE, 'suite', 'sdk', 'packages', 'node', 'iii')
const CONFIG = join(HERE, 'suite', 'sdk', 'fixtures', 'config-test.yaml')
export const DEPS = join(HERE, '.deps')
const ROOT = join(HERE, '..', '..')
/** The suite's hard-coded ports (tests/utils.ts): the worker port and the REST API. */
export const SUITE_PORTS = { worker: 49199, http: 3199 }
/**
 * The bridge files test iii's Bridge adapters: an engine on 49197 (config-bridge.yaml) whose
 * state and streams are served by a backend engine on 49198 (config-bridge-backend.yaml). The
 * runner starts both (two more dist/motia processes); `--no-bridge` leaves those files out.
 */
export const BRIDGE_FILES = ['tests/bridge-state.test.ts', 'tests/bridge-stream.test.ts']
const BRIDGE_PORTS = { 'bridge backend worker': 49198, 'bridge worker': 49197 }
const FIXTURES = join(HERE, 'suite', 'sdk', 'fixtures')

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

/** `dist/motia start` in `project`, once it logged its ready line; `stop()` SIGKILLs after 5 s of SIGTERM. */
async function startEngine(
  binary: string,
  project: string,
  args: string[] = [],
): Promise<{ stop(): Promise<void>; output(): string }> {
  const motia = await startMotia(['start', '--dir', project, ...args], {
    binary,
    cwd: project,
    env: { STREAMS_PORT: '0' },
  })
  return {
    output: motia.output,
    async stop() {
      const exited = motia.stop('SIGTERM')
      const timer = setTimeout(() => motia.proc.kill('SIGKILL'), 5000)
      await exited
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

/** The suite's upload/download tests read this file; the clone the suite was copied from lacked it. */
const HANDBOOK = join(HERE, 'suite', 'sdk', 'test-assets', 'handbook.pdf')

/**
 * A stand-in for `sdk/test-assets/handbook.pdf` when the pinned copy has none (sync.ts copies the
 * real one when its clone has it): a valid one-page PDF whose content stream carries 256 KiB of
 * fixed pseudo-random bytes, so the tests that round-trip it byte for byte cross several body
 * chunks. The tests compare only what they sent with what came back. Written next to the suite
 * (git-ignored), the same bytes every run.
 */
function ensureHandbook(): void {
  if (existsSync(HANDBOOK)) return
  const noise = Buffer.alloc(256 * 1024)
  let x = 0x2545f491
  for (let i = 0; i < noise.length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    noise[i] = x & 0xff
  }
  const parts: Buffer[] = []
  const offsets: number[] = []
  let size = 0
  const add = (b: Buffer | string) => {
    const buf = typeof b === 'string' ? Buffer.from(b, 'latin1') : b
    parts.push(buf)
    size += buf.length
  }
  const object = (n: number, body: Buffer | string) => {
    offsets[n] = size
    add(`${n} 0 obj\n`)
    add(body)
    add('\nendobj\n')
  }
  add('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n')
  object(1, '<< /Type /Catalog /Pages 2 0 R >>')
  object(2, '<< /Type /Pages /Kids [3 0 R] /Count 1 >>')
  object(3, '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>')
  object(4, Buffer.concat([Buffer.from(`<< /Length ${noise.length} >>\nstream\n`), noise, Buffer.from('\nendstream')]))
  const xref = size
  add(`xref\n0 5\n0000000000 65535 f \n`)
  for (let n = 1; n <= 4; n++) add(`${String(offsets[n]).padStart(10, '0')} 00000 n \n`)
  add(`trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`)
  mkdirSync(dirname(HANDBOOK), { recursive: true })
  writeFileSync(HANDBOOK, Buffer.concat(parts))
}

export async function runSuite(
  opts: { binary?: string; filters?: string[]; bridge?: boolean } = {},
): Promise<SuiteResult> {
  const binary = opts.binary ?? join(ROOT, 'dist', 'motia')
  if (!existsSync(binary)) throw new Error(`${binary} does not exist: build it first (npm run build)`)
  const bridge = opts.bridge ?? true
  const ports: Record<string, number> = { ...SUITE_PORTS, ...(bridge ? BRIDGE_PORTS : {}) }
  for (const [role, port] of Object.entries(ports)) {
    // These ports lie in Linux's ephemeral range: an outgoing connection of an earlier test may
    // hold one for a while (.ci/run reserves them). Wait for it, then say who holds it.
    const until = Date.now() + 20_000
    while (!(await portFree(port)) && Date.now() < until) await Bun.sleep(250)
    if (!(await portFree(port))) {
      const holders = Bun.spawnSync(['ss', '-tanp'], { stderr: 'ignore' })
        .stdout.toString()
        .split('\n')
        .filter((l) => l.includes(`:${port} `))
      throw new Error(
        `port ${port} (the iii suite's ${role} port, hard-coded in the suite's tests/utils.ts) is in use: stop whatever listens there and run again\n${holders.join('\n')}`,
      )
    }
  }
  installDeps()
  ensureHandbook()
  const project = mkdtempSync(join(tmpdir(), 'motia-iii-suite-'))
  const report = join(project, 'vitest.json')
  let engine: Awaited<ReturnType<typeof startEngine>> | undefined
  const others: Awaited<ReturnType<typeof startEngine>>[] = []
  try {
    writeFileSync(join(project, 'config.yaml'), readFileSync(CONFIG))
    engine = await startEngine(binary, project)
    if (bridge) {
      for (const name of ['config-bridge-backend.yaml', 'config-bridge.yaml']) {
        const dir = join(project, name.replace('.yaml', ''))
        mkdirSync(dir)
        // Their stream ports (3113, 3114) are not used by the tests and often taken (motia's console is 3113):
        // a motia key, which beats the iii module's, moves them to free ones.
        writeFileSync(join(dir, 'config.yaml'), `${readFileSync(join(FIXTURES, name), 'utf8')}\nstreams: { port: 0 }\n`)
        // These configs have no REST module: the API port is any free one.
        others.push(await startEngine(binary, dir, ['--port', '0', '--host', '127.0.0.1']))
      }
    }
    const vitest = Bun.spawn(
      [
        'node',
        join(DEPS, 'node_modules', 'vitest', 'vitest.mjs'),
        'run',
        '--reporter=json',
        `--outputFile=${report}`,
        ...(bridge ? [] : BRIDGE_FILES.flatMap((f) => ['--exclude', f])),
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
    for (const o of others) await o.stop()
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
  const bridge = !args.includes('--no-bridge')
  const filters = args.filter((a) => a !== '--verbose' && a !== '--no-bridge')
  try {
    const r = await runSuite({ ...(binary ? { binary } : {}), filters, bridge })
    for (const t of r.tests) {
      const mark = t.status === 'passed' ? 'pass' : t.status === 'failed' ? 'FAIL' : 'skip'
      console.log(`${mark}  ${t.file} > ${t.name}${t.status === 'failed' && t.message ? `\n        ${t.message}` : ''}`)
    }
    if (verbose) console.log(r.engineOutput)
    if (jsonOut) writeFileSync(jsonOut, JSON.stringify(r, null, 2))
    const excluded = bridge ? '' : ` (left out: ${BRIDGE_FILES.join(', ')})`
    console.log(`${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''}${excluded}`)
  } catch (err) {
    console.error(err instanceof Error ? err.message : err)
    process.exit(1)
  }
}
