import { afterAll } from 'bun:test'
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { defaultModules } from '../../cmd/default-modules'
import type { LogRecord } from '../../runtime/logger'
import type { RunMode } from '../../runtime/module'
import { createRuntime, type Runtime } from '../../runtime/runtime'

export const FIXTURES = join(import.meta.dir, '..', 'fixtures')

/** A temp dir, removed by `dispose()`. */
export function tempDir(prefix = 'motia-test-'): { path: string; dispose(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix))
  return { path, dispose: () => rmSync(path, { recursive: true, force: true }) }
}

/** A temp project made of `files` (path → text), removed by `dispose()`. */
export function tempProject(
  files: Record<string, string>,
  prefix = 'motia-project-',
): { path: string; dispose(): void } {
  const dir = tempDir(prefix)
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir.path, rel)), { recursive: true })
    writeFileSync(join(dir.path, rel), text)
  }
  return dir
}

/** `project(files)` makes a temp project (its path); all of them are removed after the file's tests. */
export function tempProjects(prefix: string): (files: Record<string, string>) => string {
  const made: { dispose(): void }[] = []
  afterAll(() => {
    for (const dir of made) dir.dispose()
  })
  return (files) => {
    const dir = tempProject(files, prefix)
    made.push(dir)
    return dir.path
  }
}

/** Copies a fixture project into a temp dir (tests may then break or edit files freely). */
export function copyFixture(name: string): { path: string; dispose(): void } {
  const dir = tempDir(`motia-${basename(name)}-`)
  cpSync(join(FIXTURES, name), dir.path, { recursive: true, filter: (src) => !src.includes('/.motia') })
  return dir
}

export interface TestRuntime extends Runtime {
  logs: Runtime['logs']
  records: LogRecord[]
}

/** An in-process runtime on a fixture with its own SQLite file and captured logs; no sockets. */
export async function fixtureRuntime(
  dir: string,
  opts: { mode?: RunMode; env?: Record<string, string>; listen?: boolean } = {},
): Promise<Runtime & { records: LogRecord[]; [Symbol.asyncDispose](): Promise<void> }> {
  const tmp = tempDir()
  const records: LogRecord[] = []
  const rt = await createRuntime({
    dir,
    mode: opts.mode ?? 'dev',
    modules: defaultModules({ listen: opts.listen ?? false }),
    env: { MOTIA_SQLITE: join(tmp.path, 'motia.db'), PORT: '0', ...opts.env },
    logSinks: [(r) => records.push(r)],
  }).catch((err) => {
    tmp.dispose()
    throw err
  })
  const stop = rt.stop
  return Object.assign(rt, {
    records,
    async stop() {
      await stop()
      tmp.dispose()
    },
    async [Symbol.asyncDispose]() {
      await stop()
      tmp.dispose()
    },
  })
}
