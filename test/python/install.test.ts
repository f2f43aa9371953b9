/**
 * `motia install` for Python steps through the binary, offline: a wheel the test builds itself,
 * found through PIP_NO_INDEX / PIP_FIND_LINKS. It makes .venv, installs requirements.txt into it
 * (the step imports the package under `motia start`), skips pip when nothing changed, and names
 * a requirement pip cannot find (exit 1).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runMotia, startMotia, testBinary } from '../support/binary'
import { tempDir } from '../support/runtime'

const dirs: { path: string; dispose(): void }[] = []
const temp = (prefix: string) => {
  const d = tempDir(prefix)
  dirs.push(d)
  return d.path
}
afterAll(() => {
  for (const d of dirs) d.dispose()
})

/** Whether this machine's python3 can make a venv with pip (Debian without python3-venv cannot). */
function venvWorks(): boolean {
  const probe = join(temp('motia-venv-probe-'), 'v')
  const r = Bun.spawnSync(['python3', '-m', 'venv', probe], { stdout: 'ignore', stderr: 'ignore' })
  return r.exitCode === 0 && existsSync(join(probe, 'bin', 'pip'))
}
const canVenv = venvWorks()
if (!canVenv) console.warn('install.test.ts: skipped: `python3 -m venv` cannot create a venv with pip here')

/** A pure-Python wheel `motia_tiny_pkg-0.1.0` written by hand (no build backend, no network). */
function buildWheel(dir: string): void {
  const script = `
import base64, hashlib, sys, zipfile
out = sys.argv[1] + "/motia_tiny_pkg-0.1.0-py3-none-any.whl"
files = {
    "motia_tiny_pkg/__init__.py": "GREETING = 'hello from a local wheel'\\n",
    "motia_tiny_pkg-0.1.0.dist-info/METADATA": "Metadata-Version: 2.1\\nName: motia-tiny-pkg\\nVersion: 0.1.0\\n",
    "motia_tiny_pkg-0.1.0.dist-info/WHEEL": "Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
}
record = []
with zipfile.ZipFile(out, "w") as z:
    for name, text in files.items():
        data = text.encode()
        z.writestr(name, data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append("%s,sha256=%s,%d" % (name, digest, len(data)))
    record.append("motia_tiny_pkg-0.1.0.dist-info/RECORD,,")
    z.writestr("motia_tiny_pkg-0.1.0.dist-info/RECORD", "\\n".join(record) + "\\n")
`
  const r = Bun.spawnSync(['python3', '-c', script, dir], { stderr: 'pipe' })
  if (r.exitCode !== 0) throw new Error(`wheel build failed: ${r.stderr}`)
}

const STEP = `from motia import http
import motia_tiny_pkg

config = {"name": "Tiny", "triggers": [http("GET", "/tiny")]}

def handler(req):
    return {"status": 200, "body": {"greeting": motia_tiny_pkg.GREETING}}
`

function project(requirements: string): string {
  const dir = temp('motia-py-install-')
  mkdirSync(join(dir, 'steps'), { recursive: true })
  writeFileSync(join(dir, 'steps', 'tiny_step.py'), STEP)
  writeFileSync(join(dir, 'requirements.txt'), requirements)
  writeFileSync(join(dir, 'config.yaml'), 'streams:\n  port: 0\n')
  return dir
}

let wheels: string
let binary: string
beforeAll(async () => {
  binary = await testBinary()
  wheels = temp('motia-wheels-')
  if (canVenv) buildWheel(wheels)
}, 180_000)

describe.skipIf(!canVenv)('motia install (python)', () => {
  const offline = () => ({ PIP_NO_INDEX: '1', PIP_FIND_LINKS: wheels, MOTIA_PYTHON: '' })

  test('makes .venv, installs requirements.txt, the step imports it; a re-run is up to date and fast', async () => {
    const dir = project('motia-tiny-pkg==0.1.0\n')
    const first = await runMotia(['install'], { cwd: dir, env: offline(), binary })
    expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: '' })
    expect(first.stdout).toContain('motia install: creating .venv with')
    expect(first.stdout).toMatch(/motia install: {3}pip: .*motia-tiny-pkg/)
    expect(first.stdout).toContain('motia install: installed requirements.txt into .venv')
    const stamp = JSON.parse(readFileSync(join(dir, '.venv', '.motia-install.json'), 'utf8'))
    expect(stamp).toMatchObject({ requirements: 'requirements.txt', python: expect.stringMatching(/^3\.\d+\.\d+$/) })

    const started = performance.now()
    const again = await runMotia(['install'], { cwd: dir, env: offline(), binary })
    const ms = performance.now() - started
    expect(again.code).toBe(0)
    expect(again.stdout).toContain('motia install: .venv is up to date with requirements.txt')
    expect(again.stdout).not.toContain('pip:')
    expect(ms).toBeLessThan(3000)

    const motia = await startMotia(['start', '--dir', dir, '--port', '0', '--host', '127.0.0.1'], {
      binary,
      env: { MOTIA_PYTHON: '' },
    })
    try {
      const res = await fetch(`${motia.url}/tiny`)
      expect(await res.json()).toEqual({ greeting: 'hello from a local wheel' })
    } finally {
      await motia.stop()
    }

    // A changed requirements.txt runs pip again.
    writeFileSync(join(dir, 'requirements.txt'), 'motia-tiny-pkg>=0.1\n')
    const changed = await runMotia(['install'], { cwd: dir, env: offline(), binary })
    expect(changed.code).toBe(0)
    expect(changed.stdout).toContain('pip:')
    expect(changed.stdout).not.toContain('creating .venv')
  }, 120_000)

  test('a requirement pip cannot find: exit 1 naming it', async () => {
    const dir = project('motia-tiny-pkg==0.1.0\nno-such-motia-package-xyz==1.2.3\n')
    const r = await runMotia(['install'], { cwd: dir, env: offline(), binary })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('motia install: pip could not install "no-such-motia-package-xyz==1.2.3"')
    expect(r.stdout).toContain('pip: ')
    expect(existsSync(join(dir, '.venv', '.motia-install.json'))).toBe(false)
  }, 120_000)

  test('pyproject.toml [project] dependencies when there is no requirements.txt', async () => {
    const dir = project('')
    Bun.spawnSync(['rm', join(dir, 'requirements.txt')])
    writeFileSync(join(dir, 'pyproject.toml'), '[project]\nname = "app"\ndependencies = ["motia-tiny-pkg"]\n')
    const r = await runMotia(['install'], { cwd: dir, env: offline(), binary })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('installed pyproject.toml [project] dependencies into .venv')
    expect(existsSync(join(dir, '.venv', 'lib'))).toBe(true)
  }, 120_000)
})

test('Python steps without requirements: nothing installed, no .venv', async () => {
  const dir = project('')
  Bun.spawnSync(['rm', join(dir, 'requirements.txt')])
  const r = await runMotia(['install'], { cwd: dir, env: { MOTIA_PYTHON: '' }, binary })
  expect(r.code).toBe(0)
  expect(r.stdout).toContain('no requirements.txt or pyproject.toml dependencies')
  expect(existsSync(join(dir, '.venv'))).toBe(false)
}, 60_000)
