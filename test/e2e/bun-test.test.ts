import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ensureBinary, runCommand, runMotia } from '../support/binary'
import { tempDir } from '../support/runtime'

// Plain `bun test` (the repo's own bun, as a Bun user's editor or CI would run it) in projects
// the binary created: `motia`, `motia/testing` and `zod` come from `.motia/runtime`, which the
// binary wrote, with no node_modules.
const BUN = process.execPath
const TEMPLATES = ['starter', 'starter-js', 'todo']
let tmp: ReturnType<typeof tempDir>

beforeAll(async () => {
  await ensureBinary()
  tmp = tempDir('motia-buntest-')
}, 120_000)
afterAll(() => tmp?.dispose())

async function bunTest(dir: string, args: string[] = []) {
  const { stdout, stderr, code } = await runCommand([BUN, 'test', ...args], {
    cwd: dir,
    env: { BUN_BE_BUN: undefined },
  })
  return { out: `${stdout}${stderr}`, code }
}

/** The `N pass` / `N fail` summary of a run. */
const summary = (out: string) => ({
  pass: Number(out.match(/^\s*(\d+) pass$/m)?.[1] ?? -1),
  fail: Number(out.match(/^\s*(\d+) fail$/m)?.[1] ?? -1),
})

async function create(template: string, name: string): Promise<string> {
  const r = await runMotia(['create', name, '--template', template], { cwd: tmp.path })
  expect(r.code).toBe(0)
  return join(tmp.path, name)
}

describe.each(TEMPLATES)('template %s', (template) => {
  test('plain bun test passes with no node_modules, and agrees with motia test flag for flag', async () => {
    const dir = await create(template, `plain-${template}`)
    expect(existsSync(join(dir, 'node_modules'))).toBe(false)
    expect(readFileSync(join(dir, 'bunfig.toml'), 'utf8')).toContain('preload = ["./.motia/runtime/motia-test.js"]')

    const plain = await bunTest(dir)
    expect(plain.code).toBe(0)
    const all = summary(plain.out)
    expect(all.pass).toBeGreaterThan(0)
    expect(all.fail).toBe(0)

    const coverage = await bunTest(dir, ['--coverage'])
    expect(coverage.code).toBe(0)
    expect(coverage.out).toMatch(/File\s+\|\s+% Funcs\s+\|\s+% Lines/)
    expect(coverage.out).toMatch(/steps\/\S+\s+\|/)
    expect(coverage.out).not.toContain('.motia/runtime')

    // The same arguments give the same results through `motia test`.
    const file = (await Array.fromAsync(new Bun.Glob('tests/*.test.*').scan({ cwd: dir })))[0]!
    for (const args of [['--bail'], [file], ['-t', 'no test has this name']]) {
      const a = await bunTest(dir, args)
      const b = await runMotia(['test', ...args], { cwd: dir })
      expect(summary(`${b.stdout}${b.stderr}`)).toEqual(summary(a.out))
      expect(b.code).toBe(a.code)
    }
    expect(existsSync(join(dir, 'node_modules'))).toBe(false)
  }, 120_000)
})

test('bun test --watch reruns on a change', async () => {
  const dir = await create('starter', 'watch-app')
  writeFileSync(
    join(dir, 'tests', 'flip.test.ts'),
    `import { expect, test } from 'bun:test'\ntest('flip', () => expect(1).toBe(1))\n`,
  )
  const proc = Bun.spawn([BUN, 'test', '--watch', 'tests/flip.test.ts'], { cwd: dir, stdout: 'pipe', stderr: 'pipe' })
  let out = ''
  const pump = async (s: ReadableStream<Uint8Array>) => {
    for await (const c of s) out += new TextDecoder().decode(c)
  }
  void pump(proc.stdout)
  void pump(proc.stderr)
  const until = async (re: RegExp) => {
    for (let i = 0; i < 300 && !re.test(out); i++) await Bun.sleep(20)
    return re.test(out)
  }
  try {
    expect(await until(/1 pass/)).toBe(true)
    writeFileSync(
      join(dir, 'tests', 'flip.test.ts'),
      `import { expect, test } from 'bun:test'\ntest('flip', () => expect(1).toBe(2))\n`,
    )
    expect(await until(/1 fail/)).toBe(true)
  } finally {
    proc.kill()
    await proc.exited
  }
}, 60_000)

test('a missing .motia/runtime is named; motia install writes it; a binary changed since is reported', async () => {
  const dir = await create('todo', 'stale-app')
  rmSync(join(dir, '.motia'), { recursive: true })
  const missing = await bunTest(dir)
  expect(missing.code).not.toBe(0)
  expect(missing.out).toContain('preload not found "./.motia/runtime/motia-test.js"')

  const install = await runMotia(['install'], { cwd: dir })
  expect(install.code).toBe(0)
  expect(summary((await bunTest(dir)).out).fail).toBe(0)

  // An older binary wrote it: its recorded identity no longer matches the file on disk.
  const originFile = join(dir, '.motia', 'runtime', 'origin.json')
  const origin = JSON.parse(readFileSync(originFile, 'utf8'))
  writeFileSync(originFile, JSON.stringify({ ...origin, version: '0.0.1', mtimeMs: origin.mtimeMs - 86_400_000 }))
  const stale = await bunTest(dir)
  expect(stale.out).toContain('motia: .motia/runtime was written by motia 0.0.1')
  expect(stale.out).toContain('run `motia install` to refresh it')
  // Any motia command refreshes it.
  await runMotia(['generate-types'], { cwd: dir })
  expect(JSON.parse(readFileSync(originFile, 'utf8')).version).not.toBe('0.0.1')
  expect((await bunTest(dir)).out).not.toContain('has changed since')
}, 60_000)

test('motia install adds the preload to an existing bunfig.toml, or says which line to add', async () => {
  const dir = await create('starter', 'bunfig-app')
  writeFileSync(join(dir, 'bunfig.toml'), 'telemetry = false\n')
  expect((await runMotia(['install'], { cwd: dir })).code).toBe(0)
  expect(readFileSync(join(dir, 'bunfig.toml'), 'utf8')).toMatch(/^telemetry = false\n\n\[test\]\n/)
  writeFileSync(join(dir, 'bunfig.toml'), '[test]\ntimeout = 10000\n')
  const r = await runMotia(['install'], { cwd: dir })
  expect(r.stderr).toContain(
    'bunfig.toml has a [test] section: add "./.motia/runtime/motia-test.js" to its preload list',
  )
})
