import { afterAll, beforeAll, expect, test } from 'bun:test'
import {
  chmodSync,
  chownSync,
  cpSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { ensureBinary, runMotia, startMotia } from '../support/binary'
import { tempDir } from '../support/runtime'

/**
 * A compiled app unpacks its step files before loading them. Another local user must not be
 * able to make it run their code or write through a link: every run gets a fresh private
 * directory (issue 21 A). Each test plants at the name an earlier run used, which older builds
 * reused every run.
 */

const OWN_STEP = `import { http } from 'motia'
export const config = { name: 'Hello', triggers: [http('GET', '/hello')] } as const
export const handler = async () => ({ status: 200, body: { from: 'app' } })
`
const PLANTED_STEP = OWN_STEP.replace("from: 'app'", "from: 'planted'")
// Another user when the tests run as root (they do in CI); the current user otherwise.
const OTHER_UID = process.getuid?.() === 0 ? 65534 : undefined

let root: ReturnType<typeof tempDir>
let app: string
let project: string

beforeAll(async () => {
  await ensureBinary()
  root = tempDir('motia-app-private-')
  project = join(root.path, 'hello')
  mkdirSync(join(project, 'steps'), { recursive: true })
  writeFileSync(join(project, 'steps', 'hello.step.ts'), OWN_STEP)
  app = join(root.path, 'out', 'hello')
  const built = await runMotia(['build', '--dir', project, '--compile', '--outfile', app])
  expect(built.code).toBe(0)
}, 120_000)
afterAll(() => root?.dispose())

/** A folder like /tmp: anyone may create entries, only their owner may remove them. */
function sharedTmp(name: string): string {
  const dir = join(root.path, name)
  mkdirSync(dir)
  chmodSync(dir, 0o1777)
  return dir
}

function startApp(env: Record<string, string>) {
  return startMotia(['--port', '0', '--host', '127.0.0.1'], {
    binary: app,
    cwd: root.path,
    env: { XDG_RUNTIME_DIR: '', ...env },
  })
}

async function hello(url: string): Promise<unknown> {
  return (await fetch(`${url}/hello`)).json()
}

/** What another user would leave at `dir`: the project with its step replaced, marked as unpacked. */
function plantProject(dir: string): void {
  cpSync(project, dir, { recursive: true, filter: (src) => !src.includes('.motia') })
  writeFileSync(join(dir, '.motia-app.json'), JSON.stringify({ name: 'hello', files: ['steps/hello.step.ts'] }))
  writeFileSync(join(dir, 'steps', 'hello.step.ts'), PLANTED_STEP)
  if (OTHER_UID !== undefined) {
    for (const p of [dir, join(dir, 'steps'), join(dir, 'steps', 'hello.step.ts'), join(dir, '.motia-app.json')])
      chownSync(p, OTHER_UID, OTHER_UID)
  }
}

/** Runs the app once and returns the entries it made in `dir` while running. */
async function namesUsed(dir: string, env: Record<string, string>): Promise<string[]> {
  const run = await startApp(env)
  try {
    expect(await hello(run.url)).toEqual({ from: 'app' })
    return readdirSync(dir)
  } finally {
    await run.stop()
  }
}

test('a folder another user planted where the last run unpacked is not run: the app serves its own handler, and leaves nothing behind', async () => {
  const tmp = sharedTmp('tmp-planted')
  const used = await namesUsed(tmp, { TMPDIR: tmp })
  expect(used).toHaveLength(1)
  const left = readdirSync(tmp)
  for (const name of used) {
    rmSync(join(tmp, name), { recursive: true, force: true })
    plantProject(join(tmp, name))
  }
  const run = await startApp({ TMPDIR: tmp })
  try {
    expect(await hello(run.url)).toEqual({ from: 'app' })
  } finally {
    await run.stop()
  }
  // The planted folder is neither used nor changed.
  expect(readFileSync(join(tmp, used[0]!, 'steps', 'hello.step.ts'), 'utf8')).toBe(PLANTED_STEP)
  // Nothing of the first run stayed to be found or reused.
  expect(left).toEqual([])
}, 60_000)

test('a link planted where the last run unpacked is not followed: neither the linked folder nor a linked file is written', async () => {
  const tmp = sharedTmp('tmp-links')
  const used = await namesUsed(tmp, { TMPDIR: tmp })
  const name = used[0]!
  const victimDir = join(root.path, 'victim-dir')
  mkdirSync(victimDir)
  const victimFile = join(root.path, 'victim-file')
  writeFileSync(victimFile, 'precious')

  // The app's folder itself is a link to a folder of the victim's.
  rmSync(join(tmp, name), { recursive: true, force: true })
  symlinkSync(victimDir, join(tmp, name))
  let run = await startApp({ TMPDIR: tmp })
  try {
    expect(await hello(run.url)).toEqual({ from: 'app' })
  } finally {
    await run.stop()
  }
  expect(readdirSync(victimDir)).toEqual([])

  // A real folder whose step file is a link to a file of the victim's.
  rmSync(join(tmp, name))
  mkdirSync(join(tmp, name, 'steps'), { recursive: true })
  symlinkSync(victimFile, join(tmp, name, 'steps', 'hello.step.ts'))
  run = await startApp({ TMPDIR: tmp })
  try {
    expect(await hello(run.url)).toEqual({ from: 'app' })
  } finally {
    await run.stop()
  }
  expect(readFileSync(victimFile, 'utf8')).toBe('precious')
}, 60_000)

test('XDG_RUNTIME_DIR, when private, holds the run folder (mode 0700, gone at exit); a copy left there and tampered with is not loaded', async () => {
  const tmp = sharedTmp('tmp-xdg')
  const xdg = join(root.path, 'xdg')
  mkdirSync(xdg, { mode: 0o700 })
  const saved = join(root.path, 'xdg-saved')
  const env = { TMPDIR: tmp, XDG_RUNTIME_DIR: xdg }
  let run = await startApp(env)
  let name: string
  try {
    const used = readdirSync(xdg)
    expect({ used: used.length, inTmp: readdirSync(tmp) }).toEqual({ used: 1, inTmp: [] })
    name = used[0]!
    expect(name).toStartWith('motia-app-hello-')
    const st = lstatSync(join(xdg, name))
    expect({ dir: st.isDirectory(), mode: st.mode & 0o7777, uid: st.uid }).toEqual({
      dir: true,
      mode: 0o700,
      uid: process.getuid!(),
    })
    cpSync(join(xdg, name), saved, { recursive: true })
  } finally {
    const code = await run.stop()
    // What the app said on its way out, should its folder outlive it (seen once under heavy load).
    expect({ code, left: readdirSync(xdg), output: readdirSync(xdg).length ? run.output() : '' }).toEqual({
      code: 0,
      left: [],
      output: '',
    })
  }

  // The same user's leftover, changed since: a later run never looks at it.
  cpSync(saved, join(xdg, name), { recursive: true })
  writeFileSync(join(xdg, name, 'steps', 'hello.step.ts'), PLANTED_STEP)
  run = await startApp(env)
  try {
    expect(await hello(run.url)).toEqual({ from: 'app' })
  } finally {
    await run.stop()
  }
}, 60_000)

test('a temp folder others may write to without the sticky bit is refused with E_APP_DIR_UNSAFE; a shared XDG_RUNTIME_DIR is passed over', async () => {
  const open = join(root.path, 'tmp-world-writable')
  mkdirSync(open)
  chmodSync(open, 0o777)
  const refused = await runMotia(['--port', '0', '--host', '127.0.0.1'], {
    binary: app,
    cwd: root.path,
    env: { TMPDIR: open, XDG_RUNTIME_DIR: '' },
  })
  expect(refused.code).toBe(1)
  expect(refused.stderr).toContain('E_APP_DIR_UNSAFE')
  expect(refused.stderr).toContain(`${open} has mode 0777: other users may write to it and it has no sticky bit`)
  expect(readdirSync(open)).toEqual([])

  if (OTHER_UID !== undefined) {
    const foreign = join(root.path, 'tmp-foreign')
    mkdirSync(foreign)
    chownSync(foreign, OTHER_UID, OTHER_UID)
    const r = await runMotia([], { binary: app, cwd: root.path, env: { TMPDIR: foreign, XDG_RUNTIME_DIR: '' } })
    expect({ code: r.code, unsafe: r.stderr.includes(`E_APP_DIR_UNSAFE`) }).toEqual({ code: 1, unsafe: true })
    expect(r.stderr).toContain(`${foreign} is owned by uid ${OTHER_UID}`)
  }

  // A runtime dir others can write to is not private: the app unpacks under TMPDIR instead.
  const xdg = join(root.path, 'xdg-shared')
  mkdirSync(xdg)
  chmodSync(xdg, 0o777)
  const tmp = sharedTmp('tmp-fallback')
  const run = await startApp({ TMPDIR: tmp, XDG_RUNTIME_DIR: xdg })
  try {
    expect(await hello(run.url)).toEqual({ from: 'app' })
    expect({ xdg: readdirSync(xdg), tmp: readdirSync(tmp).length }).toEqual({ xdg: [], tmp: 1 })
  } finally {
    await run.stop()
  }
}, 60_000)
