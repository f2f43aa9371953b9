import { existsSync } from 'node:fs'
import { isAbsolute, join, resolve } from 'node:path'

export interface PythonChoice {
  /** Absolute path of the interpreter. */
  command: string
  /** Where the choice came from, for messages: `MOTIA_PYTHON`, `config.yaml python.interpreter`, ... */
  source: string
}

export type PythonLookup = { ok: true; python: PythonChoice } | { ok: false; tried: string[] }

/**
 * The project's Python, in this order: `MOTIA_PYTHON`, `config.yaml` `python.interpreter`,
 * `<project>/.venv/bin/python`, `python3` on PATH. A value that is set but does not resolve
 * stops the search (a typo must not silently fall back to another Python). Exported for
 * `motia install`, which creates the `.venv` this finds.
 */
export function findPython(
  dir: string,
  configured: string | undefined,
  env: Record<string, string | undefined>,
): PythonLookup {
  const tried: string[] = []
  const explicit: [string, string | undefined][] = [
    ['MOTIA_PYTHON', env.MOTIA_PYTHON],
    ['config.yaml python.interpreter', configured],
  ]
  for (const [source, value] of explicit) {
    if (!value) continue
    const command = resolveCommand(dir, value, env)
    if (command) return { ok: true, python: { command, source } }
    tried.push(`${source}=${value} (not found)`)
    return { ok: false, tried }
  }
  for (const venv of ['.venv', 'venv', 'python_modules']) {
    const p = join(dir, venv, 'bin', 'python')
    if (existsSync(p)) return { ok: true, python: { command: p, source: `${venv}/bin/python` } }
    if (venv === '.venv') tried.push(`${venv}/bin/python (absent)`)
  }
  const onPath = Bun.which('python3', { PATH: env.PATH ?? '' }) ?? Bun.which('python', { PATH: env.PATH ?? '' })
  if (onPath) return { ok: true, python: { command: onPath, source: 'python3 on PATH' } }
  tried.push('python3 on PATH (absent)')
  return { ok: false, tried }
}

/** A path (relative to the project) or a command name on PATH. */
function resolveCommand(dir: string, value: string, env: Record<string, string | undefined>): string | undefined {
  if (value.includes('/')) {
    const p = isAbsolute(value) ? value : resolve(dir, value)
    return existsSync(p) ? p : undefined
  }
  return Bun.which(value, { PATH: env.PATH ?? '' }) ?? undefined
}

export function notFoundMessage(tried: readonly string[]): string {
  return `no Python interpreter found for the Python steps (tried: ${tried.join('; ')}). Install python3, create .venv, or set MOTIA_PYTHON / python.interpreter in config.yaml`
}
