import { afterAll, describe, expect, test } from 'bun:test'
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { tempDir } from '../../test/support/runtime'
import { MotiaError } from '../errors'
import {
  makePrivateRunDir,
  type TreeFile,
  treeMismatch,
  unpackPrivate,
  whyNotPrivate,
  whyParentUnsafe,
  writeTreeExclusive,
} from './private-dir'

const root = tempDir('motia-private-dir-')
afterAll(() => root.dispose())
let n = 0
/** A fresh folder under the test's dir with `mode`. */
function dir(mode: number): string {
  const path = join(root.path, `d${n++}`)
  mkdirSync(path)
  chmodSync(path, mode)
  return path
}
const asRoot = process.getuid?.() === 0
const FILES: TreeFile[] = [
  { path: 'steps/a.step.ts', bytes: new TextEncoder().encode('export const a = 1\n') },
  { path: 'steps/nested/b.step.ts', bytes: new TextEncoder().encode('export const b = 2\n') },
  { path: 'config.yaml', bytes: new TextEncoder().encode('http: {}\n') },
]

function unsafeError(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(MotiaError)
    expect((err as MotiaError).code).toBe('E_APP_DIR_UNSAFE')
    return (err as Error).message
  }
  throw new Error('expected E_APP_DIR_UNSAFE')
}

describe('whyNotPrivate', () => {
  test('only a real folder of this user with no group/other bits is private', () => {
    const link = join(root.path, `link${n++}`)
    const file = join(root.path, `file${n++}`)
    symlinkSync(dir(0o700), link)
    writeFileSync(file, '')
    expect({
      private: whyNotPrivate(dir(0o700)),
      readable: whyNotPrivate(dir(0o755)),
      groupWritable: whyNotPrivate(dir(0o770)),
      link: whyNotPrivate(link),
      file: whyNotPrivate(file),
      missing: whyNotPrivate(join(root.path, 'nope')),
    }).toEqual({
      private: undefined,
      readable: 'has mode 0755: group or others have access (expected 0700)',
      groupWritable: 'has mode 0770: group or others have access (expected 0700)',
      link: 'is a symbolic link',
      file: 'is not a directory',
      missing: 'cannot be read (ENOENT)',
    })
  })

  test.skipIf(!asRoot)("another user's folder is not private, whatever its mode", () => {
    const d = dir(0o700)
    chownSync(d, 65534, 65534)
    expect(whyNotPrivate(d)).toBe(`is owned by uid 65534, not by this user (uid ${process.getuid!()})`)
  })
})

describe('whyParentUnsafe', () => {
  test('a shared folder needs the sticky bit; every folder up to / is checked', () => {
    const open = dir(0o777)
    const inside = join(open, 'mine')
    mkdirSync(inside, { mode: 0o700 })
    expect({
      sticky: whyParentUnsafe(dir(0o1777)),
      own: whyParentUnsafe(dir(0o700)),
      open: whyParentUnsafe(open),
      below: whyParentUnsafe(inside),
    }).toEqual({
      sticky: undefined,
      own: undefined,
      open: `${open} has mode 0777: other users may write to it and it has no sticky bit`,
      below: `${open} has mode 0777: other users may write to it and it has no sticky bit`,
    })
  })

  test.skipIf(!asRoot)('a folder owned by another user (not root) is refused', () => {
    const d = dir(0o755)
    chownSync(d, 65534, 65534)
    expect(whyParentUnsafe(d)).toBe(`${d} is owned by uid 65534 (neither this user nor root)`)
  })
})

describe('makePrivateRunDir', () => {
  test('under XDG_RUNTIME_DIR when private, else under TMPDIR; a fresh 0700 folder each call', () => {
    const xdg = dir(0o700)
    const tmp = dir(0o1777)
    const a = makePrivateRunDir('motia-app-x-', { XDG_RUNTIME_DIR: xdg, TMPDIR: tmp })
    const b = makePrivateRunDir('motia-app-x-', { XDG_RUNTIME_DIR: xdg, TMPDIR: tmp })
    const shared = makePrivateRunDir('motia-app-x-', { XDG_RUNTIME_DIR: dir(0o755), TMPDIR: tmp })
    const relative = makePrivateRunDir('motia-app-x-', { XDG_RUNTIME_DIR: 'run/user', TMPDIR: tmp })
    expect(a).not.toBe(b)
    expect([a, b].every((d) => d.startsWith(`${xdg}/motia-app-x-`))).toBe(true)
    expect([shared, relative].every((d) => d.startsWith(`${tmp}/motia-app-x-`))).toBe(true)
    expect([a, b, shared, relative].map((d) => lstatSync(d).mode & 0o777)).toEqual([0o700, 0o700, 0o700, 0o700])
  })

  test('a temp folder others may write to without the sticky bit: E_APP_DIR_UNSAFE naming it, nothing made', () => {
    const open = dir(0o777)
    expect(unsafeError(() => makePrivateRunDir('motia-app-x-', { TMPDIR: open }))).toBe(
      `cannot unpack the app safely under ${open}: ${open} has mode 0777: other users may write to it and it has no sticky bit. Another user could replace the app's files there; set TMPDIR (or XDG_RUNTIME_DIR) to a directory only you can write to`,
    )
    expect(readdirSync(open)).toEqual([])
  })
})

describe('writeTreeExclusive', () => {
  test('writes every file under 0700 folders', () => {
    const d = dir(0o700)
    writeTreeExclusive(d, FILES)
    expect(treeMismatch(d, FILES)).toBeUndefined()
    expect(lstatSync(join(d, 'steps', 'nested')).mode & 0o777).toBe(0o700)
    expect(lstatSync(join(d, 'config.yaml')).mode & 0o777).toBe(0o600)
  })

  test('a link already in place of a file is not followed: the write fails, the target is untouched', () => {
    const d = dir(0o700)
    const victim = join(root.path, `victim${n++}`)
    writeFileSync(victim, 'precious')
    mkdirSync(join(d, 'steps'))
    symlinkSync(victim, join(d, 'config.yaml'))
    expect(() => writeTreeExclusive(d, FILES)).toThrow(/EEXIST/)
    expect(readFileSync(victim, 'utf8')).toBe('precious')
  })

  test('paths that leave the folder are refused', () => {
    const d = dir(0o700)
    for (const path of ['../x.ts', '/etc/x', 'steps/../../x', 'steps//x'])
      expect(unsafeError(() => writeTreeExclusive(d, [{ path, bytes: new Uint8Array() }]))).toBe(
        `embedded file path ${JSON.stringify(path)} is not a plain relative path`,
      )
    expect(readdirSync(d)).toEqual([])
  })
})

describe('treeMismatch', () => {
  const unpacked = () => {
    const d = dir(0o700)
    writeTreeExclusive(d, FILES)
    return d
  }
  test('names the first difference: changed, extra, link, missing, folder mode', () => {
    const changed = unpacked()
    writeFileSync(join(changed, 'steps', 'a.step.ts'), 'export const a = 666\n')
    const extra = unpacked()
    writeFileSync(join(extra, 'steps', 'evil.step.ts'), '')
    const link = unpacked()
    rmSync(join(link, 'config.yaml'))
    symlinkSync(join(link, 'steps', 'a.step.ts'), join(link, 'config.yaml'))
    const missing = unpacked()
    rmSync(join(missing, 'steps', 'nested', 'b.step.ts'))
    const opened = unpacked()
    chmodSync(opened, 0o777)
    expect({
      same: treeMismatch(unpacked(), FILES),
      changed: treeMismatch(changed, FILES),
      extra: treeMismatch(extra, FILES),
      link: treeMismatch(link, FILES),
      missing: treeMismatch(missing, FILES),
      opened: treeMismatch(opened, FILES),
    }).toEqual({
      same: undefined,
      changed: 'steps/a.step.ts differs from the embedded file',
      extra: "steps/evil.step.ts is not one of the app's files",
      link: 'config.yaml is not a regular file',
      missing: 'steps/nested/b.step.ts is missing',
      opened: 'has mode 0777: group or others have access (expected 0700)',
    })
  })
})

describe('unpackPrivate', () => {
  test('a fresh checked folder per call; a failed unpack leaves nothing', () => {
    const tmp = dir(0o1777)
    const a = unpackPrivate('motia-app-x-', FILES, { TMPDIR: tmp })
    expect(treeMismatch(a, FILES)).toBeUndefined()
    expect(readdirSync(tmp)).toEqual([a.slice(tmp.length + 1)])
    unsafeError(() =>
      unpackPrivate('motia-app-x-', [...FILES, { path: '../x', bytes: new Uint8Array() }], { TMPDIR: tmp }),
    )
    expect(readdirSync(tmp)).toEqual([a.slice(tmp.length + 1)])
  })
})
