import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createHash } from 'node:crypto'
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { inflateRawSync } from 'node:zlib'
import pkg from '../../package.json' with { type: 'json' }
import type { ReleaseManifest } from '../../release/release'
import { TARGETS } from '../../release/targets'
import { runCommand, startMotia } from '../support/binary'
import { ensureRelease } from '../support/release'
import { tempDir } from '../support/runtime'

// `npm run release`, every target, checked the way a user gets it: from the archive.
let dir: string
let manifest: ReleaseManifest
const work = tempDir('motia-release-')
const QEMU = ['qemu-aarch64', '-L', '/usr/aarch64-linux-gnu']

beforeAll(async () => {
  dir = await ensureRelease()
  manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'))
}, 600_000)
afterAll(() => work.dispose())

/** The one file inside an archive, as its bytes. */
function unpack(bytes: Buffer, archive: string): Uint8Array {
  if (archive.endsWith('.zip')) {
    expect(bytes.readUInt32LE(0)).toBe(0x04034b50)
    const size = bytes.readUInt32LE(18)
    const at = 30 + bytes.readUInt16LE(26) + bytes.readUInt16LE(28)
    return inflateRawSync(bytes.subarray(at, at + size))
  }
  const tar = Bun.gunzipSync(bytes as Uint8Array<ArrayBuffer>)
  const size = Number.parseInt(Buffer.from(tar.subarray(124, 136)).toString('latin1'), 8)
  return tar.subarray(512, 512 + size)
}

/** Each archive read and unpacked once: its checksum, size, and its executable's size and first 4 KB. */
const seen = new Map<string, { sha256: string; size: number; binarySize: number; head: Buffer }>()
function archiveOf(target: string) {
  const entry = manifest.targets.find((t) => t.target === target)!
  let found = seen.get(target)
  if (!found) {
    const bytes = readFileSync(join(dir, entry.archive))
    const exe = unpack(bytes, entry.archive)
    found = {
      sha256: createHash('sha256').update(bytes).digest('hex'),
      size: bytes.length,
      binarySize: exe.length,
      head: Buffer.from(exe.subarray(0, 4096)),
    }
    seen.set(target, found)
  }
  return { entry, ...found }
}

/** Unpacks with the system's tar, as a user does, into a fresh directory; returns the executable. */
async function userUnpack(target: string): Promise<string> {
  const entry = manifest.targets.find((t) => t.target === target)!
  const into = join(work.path, target)
  const r = await runCommand(
    ['sh', '-c', `mkdir -p '${into}' && tar -xzf '${join(dir, entry.archive)}' -C '${into}'`],
    {
      cwd: work.path,
    },
  )
  expect(r).toMatchObject({ code: 0 })
  return join(into, 'motia')
}

test('one archive per target, SHA256SUMS and manifest.json agree with the files', () => {
  expect(manifest).toMatchObject({ name: 'motia', version: pkg.version, bun: Bun.version })
  expect(manifest.targets.map((t) => t.target)).toEqual(TARGETS.map((t) => t.name))
  const sums = readFileSync(join(dir, 'SHA256SUMS'), 'utf8')
  for (const t of manifest.targets) {
    const a = archiveOf(t.target)
    expect(t.archive).toBe(`motia-${pkg.version}-${t.target}.${t.target.startsWith('windows') ? 'zip' : 'tar.gz'}`)
    expect([t.sha256, t.archiveSize, t.binarySize]).toEqual([a.sha256, a.size, a.binarySize])
    expect(sums).toContain(`${a.sha256}  ${t.archive}\n`)
  }
}, 240_000)

test('darwin and windows archives hold Mach-O arm64/x64 and PE32+ x64 executables; linux ones ELF of their arch and libc', () => {
  const header = (target: string) => archiveOf(target).head
  // Mach-O 64-bit (0xfeedfacf, little endian), then the CPU type: x86_64 0x01000007, arm64 0x0100000c.
  for (const [target, cpu] of [
    ['darwin-x64', 0x01000007],
    ['darwin-arm64', 0x0100000c],
  ] as const) {
    const b = header(target)
    expect([b.readUInt32LE(0), b.readUInt32LE(4)]).toEqual([0xfeedfacf, cpu])
  }
  // PE: "MZ", the PE header at e_lfanew, machine AMD64 (0x8664), optional header magic PE32+ (0x20b).
  const pe = header('windows-x64')
  const at = pe.readUInt32LE(0x3c)
  expect([pe.toString('latin1', 0, 2), pe.toString('latin1', at, at + 4)]).toEqual(['MZ', 'PE\0\0'])
  expect([pe.readUInt16LE(at + 4), pe.readUInt16LE(at + 24)]).toEqual([0x8664, 0x20b])
  // ELF: e_machine x86-64 62, AArch64 183; musl builds ask for musl's loader.
  for (const t of TARGETS.filter((x) => x.os === 'linux')) {
    const b = header(t.name)
    expect([b.toString('latin1', 1, 4), b.readUInt16LE(18)]).toEqual(['ELF', t.cpu === 'x64' ? 62 : 183])
    expect(b.includes('ld-musl-')).toBe(t.libc === 'musl')
  }
}, 240_000)

describe.each(['linux-x64', 'linux-x64-baseline'])('%s, as a user unpacks it', (target) => {
  test('--version, version --json, create, start and a request', async () => {
    const motia = await userUnpack(target)
    expect((await runCommand([motia, '--version'], { cwd: work.path })).stdout.trim()).toBe(pkg.version)
    const info = JSON.parse((await runCommand([motia, 'version', '--json'], { cwd: work.path })).stdout)
    expect(info).toMatchObject({ version: pkg.version, commit: manifest.commit, date: manifest.date, target })
    const app = join(work.path, `${target}-app`)
    expect((await runCommand([motia, 'create', app, '-t', 'starter'], { cwd: work.path })).code).toBe(0)
    const server = await startMotia(['start', '--dir', app, '--port', '0', '--host', '127.0.0.1'], { binary: motia })
    try {
      const res = await fetch(`${server.url}/hello`)
      expect(res.status).toBe(200)
      expect(await res.json()).toEqual({ message: 'Hello from motia' })
    } finally {
      await server.stop()
    }
  }, 60_000)
})

describe('linux-arm64 under qemu user emulation', () => {
  const hasQemu = existsSync('/usr/bin/qemu-aarch64') && existsSync('/usr/aarch64-linux-gnu')
  test('--version, start and a request', async () => {
    // .ci/run installs qemu-user and libc6-arm64-cross: without them this is a failure, not a skip.
    expect(hasQemu).toBe(true)
    const motia = await userUnpack('linux-arm64')
    const v = await runCommand([...QEMU, motia, 'version', '--json'], { cwd: work.path })
    expect(JSON.parse(v.stdout)).toMatchObject({ version: pkg.version, target: 'linux-arm64' })
    const app = join(work.path, 'arm64-app')
    writeFileSync(join(work.path, 'qemu-motia'), `#!/bin/sh\nexec ${QEMU.join(' ')} '${motia}' "$@"\n`)
    chmodSync(join(work.path, 'qemu-motia'), 0o755)
    expect(
      (await runCommand([join(work.path, 'qemu-motia'), 'create', app, '-t', 'starter'], { cwd: work.path })).code,
    ).toBe(0)
    const server = await startMotia(['start', '--dir', app, '--port', '0', '--host', '127.0.0.1'], {
      binary: join(work.path, 'qemu-motia'),
      readyTimeout: 120_000,
    })
    try {
      expect(await (await fetch(`${server.url}/hello`)).json()).toEqual({ message: 'Hello from motia' })
    } finally {
      await server.stop()
    }
  }, 180_000)
})
