import { afterEach, expect, test } from 'bun:test'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { watchProject } from './dev-watcher'
import { StructuredLogger } from './logger'

const quiet = new StructuredLogger({ enabled: () => false, emit: () => {} })
const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** A project with steps/a.step.ts, watched; `reloads` holds each reload's files and what they read. */
async function watched() {
  const dir = mkdtempSync(join(tmpdir(), 'motia-watch-'))
  dirs.push(dir)
  mkdirSync(join(dir, 'steps'))
  writeFileSync(join(dir, 'steps', 'a.step.ts'), 'v1')
  const reloads: Record<string, string>[] = []
  const restarts: string[] = []
  const w = watchProject({
    dir,
    log: quiet,
    onReload: async (files) => {
      reloads.push(Object.fromEntries(files.map((f) => [f.slice(dir.length + 1), readOrGone(f)])))
    },
    onRestart: async (file) => {
      restarts.push(file.slice(dir.length + 1))
    },
  })
  await w.ready
  const until = async (ok: () => boolean, ms = 2000) => {
    for (const end = performance.now() + ms; !ok() && performance.now() < end; ) await Bun.sleep(5)
  }
  return { dir, reloads, restarts, until, [Symbol.asyncDispose]: () => w.close() }
}

function readOrGone(file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return '(gone)'
  }
}

test('a save right after "ready" is reloaded (src/ and config.yaml do not exist yet)', async () => {
  await using p = await watched()
  writeFileSync(join(p.dir, 'steps', 'a.step.ts'), 'v2')
  await p.until(() => p.reloads.length > 0)
  expect(p.reloads).toEqual([{ 'steps/a.step.ts': 'v2' }])
})

test('a second save inside chokidar’s 50 ms change throttle is reloaded too', async () => {
  await using p = await watched()
  const file = join(p.dir, 'steps', 'a.step.ts')
  await Bun.sleep(100) // apart from the test above
  writeFileSync(file, 'v2')
  await p.until(() => p.reloads.length > 0)
  expect(p.reloads[0]).toEqual({ 'steps/a.step.ts': 'v2' })
  // A formatter-on-save rewrites the file a few ms after the editor did.
  writeFileSync(file, 'v3 (formatted)')
  await p.until(() => p.reloads.at(-1)?.['steps/a.step.ts'] === 'v3 (formatted)')
  expect(p.reloads.at(-1)).toEqual({ 'steps/a.step.ts': 'v3 (formatted)' })
  // And once settled, nothing more.
  const n = p.reloads.length
  await Bun.sleep(200)
  expect(p.reloads.length).toBe(n)
})

test('src/ and config.yaml created after start are watched; hidden folders and node_modules are not', async () => {
  await using p = await watched()
  mkdirSync(join(p.dir, 'steps', 'node_modules', 'x'), { recursive: true })
  writeFileSync(join(p.dir, 'steps', 'node_modules', 'x', 'index.ts'), 'no')
  mkdirSync(join(p.dir, '.motia'))
  writeFileSync(join(p.dir, '.motia', 'state.db'), 'no')
  writeFileSync(join(p.dir, 'package.json'), '{}')
  mkdirSync(join(p.dir, 'src', 'billing'), { recursive: true })
  writeFileSync(join(p.dir, 'src', 'billing', 'b.step.ts'), 'b1')
  await p.until(() => p.reloads.some((r) => r['src/billing/b.step.ts'] === 'b1'))
  writeFileSync(join(p.dir, 'config.yaml'), 'http: {}')
  await p.until(() => p.restarts.length > 0)
  await Bun.sleep(100)
  expect(p.restarts).toEqual(['config.yaml'])
  const files = p.reloads.flatMap((r) => Object.keys(r))
  expect(files).toContain('src/billing/b.step.ts')
  expect(files.filter((f) => f.includes('node_modules') || f.startsWith('.') || f === 'package.json')).toEqual([])
})
