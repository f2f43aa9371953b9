import { createHash } from 'node:crypto'
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { findPython, notFoundMessage } from './interpreter'

/**
 * `motia install` for Python steps: a `.venv` made with the project's interpreter and the
 * project's requirements installed into it with pip. A stamp in the venv (hash of the
 * requirements + the interpreter's version) makes a re-run with nothing changed skip pip.
 */

export interface PythonInstallOptions {
  dir: string
  /** config.yaml `python.interpreter`. */
  configured: string | undefined
  /** Passed to python and pip whole (PIP_INDEX_URL, PIP_FIND_LINKS, PIP_NO_INDEX...). */
  env: Record<string, string | undefined>
  /** Progress lines (pip's output, prefixed). */
  print(line: string): void
}

export type PythonInstallResult =
  | { status: 'installed' | 'up-to-date' | 'no-requirements'; message: string }
  | { status: 'failed'; message: string }

export const VENV = '.venv'
export const STAMP_FILE = '.motia-install.json'

interface Requirements {
  /** What names them, for messages: `requirements.txt`, `pyproject.toml [project] dependencies`. */
  source: string
  /** pip's arguments after `install`. */
  args: string[]
  /** What the hash covers. */
  text: string
}

/** `requirements.txt`, else `pyproject.toml`'s `[project] dependencies`; undefined when neither lists anything. */
export function readRequirements(dir: string): Requirements | undefined {
  const txt = join(dir, 'requirements.txt')
  if (existsSync(txt)) {
    return { source: 'requirements.txt', args: ['-r', txt], text: readFileSync(txt, 'utf8') }
  }
  const toml = join(dir, 'pyproject.toml')
  if (!existsSync(toml)) return undefined
  const parsed = Bun.TOML.parse(readFileSync(toml, 'utf8')) as { project?: { dependencies?: unknown } }
  const deps = parsed.project?.dependencies
  if (!Array.isArray(deps) || deps.length === 0) return undefined
  const list = deps.map(String)
  return { source: 'pyproject.toml [project] dependencies', args: list, text: list.join('\n') }
}

/** The package pip names when it found no distribution for a requirement. */
export function failedRequirement(pipOutput: string): string | undefined {
  const m =
    pipOutput.match(/No matching distribution found for ([^\s]+)/) ??
    pipOutput.match(/Could not find a version that satisfies the requirement ([^\s]+)/)
  return m?.[1]
}

/** Debian and Ubuntu ship python3 without ensurepip: `python3 -m venv` needs the python3-venv package. */
const NO_ENSUREPIP = /ensurepip is not available|No module named ensurepip|No module named pip/

function venvPackageHint(version: string): string {
  const minor = version.split('.').slice(0, 2).join('.')
  return `this Python has no ensurepip/pip (Debian and Ubuntu split it out): install the python3-venv package (apt-get install python3-venv, or python${minor}-venv), then run motia install again`
}

export async function installPython(opts: PythonInstallOptions): Promise<PythonInstallResult> {
  const { dir, env, print } = opts
  const venv = join(dir, VENV)
  const venvPython = join(venv, 'bin', 'python')
  const reqs = readRequirements(dir)
  const base = baseInterpreter(dir, opts.configured, env)
  if (!base.ok) return { status: 'failed', message: notFoundMessage(base.tried) }
  const using = `${base.python.command} (${base.python.source})`
  if (!reqs) {
    return {
      status: 'no-requirements',
      message: `no requirements.txt or pyproject.toml dependencies; the Python steps run with ${using}, nothing to install`,
    }
  }
  const version = await pythonVersion(base.python.command, dir, env)
  if (!version.ok) return { status: 'failed', message: `${using} does not run: ${version.output.trim()}` }
  // Not the interpreter's path: once .venv exists, findPython picks the venv's own python.
  const hash = createHash('sha256').update(`${version.value}\n${reqs.source}\n${reqs.text}`).digest('hex')
  const stampFile = join(venv, STAMP_FILE)
  if (existsSync(venvPython) && readStamp(stampFile) === hash) {
    return { status: 'up-to-date', message: `${VENV} is up to date with ${reqs.source} (Python ${version.value})` }
  }

  if (!existsSync(venvPython)) {
    print(`creating ${VENV} with ${using}, Python ${version.value}`)
    const made = await run([base.python.command, '-m', 'venv', venv], dir, env)
    if (made.code !== 0) {
      // Debian's venv without ensurepip leaves a half-made folder: the next run starts afresh.
      rmSync(venv, { recursive: true, force: true })
      const why = NO_ENSUREPIP.test(made.output) ? venvPackageHint(version.value) : made.output.trim()
      return { status: 'failed', message: `could not create ${VENV}: ${why}` }
    }
  }
  const pip = await run([venvPython, '-m', 'pip', '--version'], dir, env)
  if (pip.code !== 0) {
    return { status: 'failed', message: `${VENV} has no pip: ${venvPackageHint(version.value)}` }
  }

  print(`installing ${reqs.source} into ${VENV}`)
  const install = await run(
    [venvPython, '-m', 'pip', 'install', '--disable-pip-version-check', ...reqs.args],
    dir,
    { ...env, PIP_NO_INPUT: env.PIP_NO_INPUT ?? '1' },
    (line) => print(`  pip: ${line}`),
  )
  if (install.code !== 0) {
    rmSync(stampFile, { force: true })
    const name = failedRequirement(install.output)
    const message = name
      ? `pip could not install "${name}" from ${reqs.source}: no matching distribution (check the name and version, or PIP_INDEX_URL / PIP_FIND_LINKS)`
      : `pip install failed (exit ${install.code}); its output is above`
    return { status: 'failed', message }
  }
  writeFileSync(
    stampFile,
    `${JSON.stringify({ hash, python: version.value, interpreter: base.python.command, requirements: reqs.source }, null, 2)}\n`,
  )
  const note =
    base.python.source === 'MOTIA_PYTHON' || base.python.source.startsWith('config.yaml')
      ? resolve(base.python.command).startsWith(venv)
        ? ''
        : ` (note: ${base.python.source} points at ${relative(dir, base.python.command) || base.python.command}, so the steps run with that interpreter, not ${VENV})`
      : ''
  return { status: 'installed', message: `installed ${reqs.source} into ${VENV} (Python ${version.value})${note}` }
}

/**
 * The interpreter that makes the venv: findPython's choice, except a `.venv` that does not
 * exist yet (named in config.yaml or MOTIA_PYTHON), which is what is being created.
 */
function baseInterpreter(dir: string, configured: string | undefined, env: Record<string, string | undefined>) {
  const venv = join(dir, VENV)
  const inVenv = (v: string | undefined) => v !== undefined && resolve(dir, v).startsWith(`${venv}/`)
  const missingVenv = !existsSync(join(venv, 'bin', 'python'))
  return findPython(
    dir,
    missingVenv && inVenv(configured) ? undefined : configured,
    missingVenv && inVenv(env.MOTIA_PYTHON) ? { ...env, MOTIA_PYTHON: undefined } : env,
  )
}

function readStamp(file: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { hash?: string }).hash
  } catch {
    return undefined
  }
}

async function pythonVersion(python: string, dir: string, env: Record<string, string | undefined>) {
  const r = await run([python, '-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'], dir, env)
  return r.code === 0 ? { ok: true as const, value: r.output.trim() } : { ok: false as const, output: r.output }
}

/** Runs a command; stdout and stderr merged, each line to `onLine` as it arrives. */
async function run(
  cmd: string[],
  cwd: string,
  env: Record<string, string | undefined>,
  onLine?: (line: string) => void,
): Promise<{ code: number; output: string }> {
  let proc: ReturnType<typeof Bun.spawn>
  try {
    proc = Bun.spawn(cmd, { cwd, env, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' })
  } catch (err) {
    return { code: 127, output: (err as Error).message }
  }
  let output = ''
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder()
    let pending = ''
    for await (const chunk of stream) {
      const text = decoder.decode(chunk, { stream: true })
      output += text
      pending += text
      const lines = pending.split(/\r?\n/)
      pending = lines.pop() ?? ''
      for (const l of lines) if (l.trim()) onLine?.(l)
    }
    if (pending.trim()) onLine?.(pending)
  }
  await Promise.all([pump(proc.stdout as ReadableStream<Uint8Array>), pump(proc.stderr as ReadableStream<Uint8Array>)])
  return { code: await proc.exited, output }
}
