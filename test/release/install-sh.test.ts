import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import pkg from '../../package.json' with { type: 'json' }
import type { ReleaseManifest } from '../../release/release'
import { runCommand } from '../support/binary'
import { ensureRelease, releasePage } from '../support/release'
import { tempDir } from '../support/runtime'

// install.sh against a loopback release page serving the release, under each POSIX shell it
// promises: dash, busybox ash (with busybox's own wget, tar and sha256sum alone on PATH) and sh.
const INSTALL_SH = join(import.meta.dir, '..', '..', 'install.sh')
const work = tempDir('motia-install-sh-')
let page: ReturnType<typeof releasePage>
let corrupt: ReturnType<typeof releasePage>
let manifest: ReleaseManifest
/** A PATH of busybox applets only: no curl, so install.sh downloads with busybox wget. */
const busyboxPath = join(work.path, 'busybox-bin')

beforeAll(async () => {
  const dir = await ensureRelease()
  manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'))
  page = releasePage(dir, pkg.version)
  // The same release, one byte of the linux-x64 archive changed: SHA256SUMS no longer matches.
  const archive = manifest.targets.find((t) => t.target === 'linux-x64')!.archive
  const bad = new Uint8Array(readFileSync(join(dir, archive)))
  bad[bad.length >> 1]! ^= 0xff
  corrupt = releasePage(dir, pkg.version, { [archive]: bad })
  mkdirSync(busyboxPath)
  expect((await runCommand(['busybox', '--install', '-s', busyboxPath], { cwd: work.path })).code).toBe(0)
}, 600_000)
afterAll(() => {
  page?.stop(true)
  corrupt?.stop(true)
  work.dispose()
})

/** Runs install.sh with a fresh HOME (or the given one) and the release page as its base. */
async function install(
  shell: string[],
  args: string[] = [],
  opts: { home?: string; base?: string; path?: string } = {},
) {
  const home = opts.home ?? join(work.path, `home-${Math.random().toString(36).slice(2)}`)
  mkdirSync(home, { recursive: true })
  const r = await runCommand([...shell, INSTALL_SH, ...args], {
    cwd: work.path,
    env: {
      HOME: home,
      MOTIA_INSTALL_BASE: opts.base ?? page.url.href,
      PATH: opts.path ?? '/usr/local/bin:/usr/bin:/bin',
      SHELL: '/bin/bash',
    },
  })
  return { ...r, home, bin: join(home, '.motia', 'bin', 'motia') }
}

const SHELLS: [string, string[], string | undefined][] = [
  ['dash', ['dash'], undefined],
  ['busybox ash (busybox wget, tar, sha256sum)', [Bun.which('busybox') ?? 'busybox', 'sh'], busyboxPath],
  ['bash --posix', ['bash', '--posix'], undefined],
]

describe.each(SHELLS)('install.sh under %s', (_name, shell, path) => {
  test('a fresh HOME: installs ~/.motia/bin/motia, which runs, and prints the PATH line', async () => {
    const r = await install(shell, [], { path })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`motia ${pkg.version} (linux-x64) installed in ${r.bin}`)
    expect(r.stdout).toContain(`export PATH="${join(r.home, '.motia', 'bin')}:$PATH"`)
    expect((await runCommand([r.bin, '--version'], { cwd: work.path })).stdout.trim()).toBe(pkg.version)
  }, 60_000)

  test('a corrupted archive is refused and nothing is installed', async () => {
    const r = await install(shell, [], { base: corrupt.url.href, path })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('checksum mismatch for motia-')
    expect(existsSync(r.bin)).toBe(false)
  }, 60_000)
})

test('--version picks that release; an unknown one is named', async () => {
  const r = await install(['dash'], ['--version', pkg.version])
  expect(r.code).toBe(0)
  expect(r.stdout).toContain(`downloading motia-${pkg.version}-linux-x64.tar.gz`)
  const missing = await install(['dash'], ['--version', '9.9.9'])
  expect(missing.code).toBe(1)
  expect(missing.stderr).toContain(`no release 9.9.9 at ${page.url.href}download/v9.9.9`)
}, 60_000)

test('re-running replaces the binary in place; --dir and --target choose where and which build', async () => {
  const first = await install(['dash'])
  writeFileSync(first.bin, 'broken')
  const again = await install(['dash'], [], { home: first.home })
  expect(again.code).toBe(0)
  expect((await runCommand([first.bin, '--version'], { cwd: work.path })).stdout.trim()).toBe(pkg.version)
  const dir = join(work.path, 'custom', 'bin')
  const baseline = await install(['dash'], ['--dir', dir, '--target', 'linux-x64-baseline'], {
    path: `${dir}:/usr/bin:/bin`,
  })
  expect(baseline.code).toBe(0)
  expect(baseline.stdout).toContain('run: motia --help')
  const info = JSON.parse((await runCommand([join(dir, 'motia'), 'version', '--json'], { cwd: work.path })).stdout)
  expect(info.target).toBe('linux-x64-baseline')
}, 60_000)

test('an unsupported OS or CPU is named, and Windows is sent to install.ps1', async () => {
  const fake = join(work.path, 'fake-uname')
  mkdirSync(fake, { recursive: true })
  const uname = (s: string, m: string) => {
    writeFileSync(join(fake, 'uname'), `#!/bin/sh\ncase "$1" in -s) echo ${s} ;; -m) echo ${m} ;; esac\n`)
    chmodSync(join(fake, 'uname'), 0o755)
  }
  const path = `${fake}:/usr/bin:/bin`
  uname('FreeBSD', 'amd64')
  const bsd = await install(['dash'], [], { path })
  expect([bsd.code, bsd.stderr]).toEqual([
    1,
    'motia install: motia has no build for FreeBSD (amd64): releases cover Linux (x64, arm64; glibc or musl), macOS (x64, arm64) and Windows (x64)\n',
  ])
  uname('Linux', 'riscv64')
  expect((await install(['dash'], [], { path })).stderr).toContain('motia has no build for linux on riscv64')
  uname('MINGW64_NT-10.0', 'x86_64')
  expect((await install(['dash'], [], { path })).stderr).toContain('use install.ps1 instead')
}, 60_000)
