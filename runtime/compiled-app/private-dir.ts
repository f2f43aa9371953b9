import { createHash } from 'node:crypto'
import {
  closeSync,
  constants,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  type Stats,
  statSync,
  writeSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, isAbsolute, join, normalize, sep } from 'node:path'
import { MotiaError } from '../errors'

/**
 * Where a compiled app puts the files it must hand to the runtime as real files (Bun does not
 * transpile TypeScript imported from the embedded file system; Python reads from disk): a
 * directory no other user can have made, read or changed. A name nobody can predict (mkdtemp)
 * under a private parent, owner and mode checked with lstat, files created exclusively without
 * following links, and the tree checked against the embedded bytes before anything is imported.
 */

/** Files as they must appear under the directory: `path` relative, `/`-separated. */
export interface TreeFile {
  path: string
  bytes: Uint8Array
}

const uid = (): number | undefined => process.getuid?.()

function unsafe(message: string): MotiaError {
  return new MotiaError('E_APP_DIR_UNSAFE', message)
}

function modeOf(st: Stats): string {
  return (st.mode & 0o7777).toString(8).padStart(4, '0')
}

/**
 * Why `path` is not a directory only this user can use (lstat: a link is refused, not
 * followed), or undefined when it is: a real directory, owned by this user, no group or other
 * permission bits. Windows has neither uid nor these bits: the user's own temp folder is private.
 */
export function whyNotPrivate(path: string): string | undefined {
  let st: Stats
  try {
    st = lstatSync(path)
  } catch (err) {
    return `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`
  }
  if (st.isSymbolicLink()) return 'is a symbolic link'
  if (!st.isDirectory()) return 'is not a directory'
  const me = uid()
  if (me === undefined) return undefined
  if (st.uid !== me) return `is owned by uid ${st.uid}, not by this user (uid ${me})`
  if ((st.mode & 0o077) !== 0) return `has mode ${modeOf(st)}: group or others have access (expected 0700)`
  return undefined
}

/**
 * Why a parent of the app's directory would let another user swap it (rename or replace an
 * entry), or undefined: each folder from `path` up to `/` must be owned by this user or root,
 * and when group or others may write to it, carry the sticky bit (as /tmp does).
 */
export function whyParentUnsafe(path: string): string | undefined {
  const me = uid()
  if (me === undefined) return undefined
  let dir: string
  try {
    dir = realpathSync(path)
  } catch (err) {
    return `${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`
  }
  for (;;) {
    const st = statSync(dir)
    if (!st.isDirectory()) return `${dir} is not a directory`
    if (st.uid !== me && st.uid !== 0) return `${dir} is owned by uid ${st.uid} (neither this user nor root)`
    if ((st.mode & 0o022) !== 0 && (st.mode & 0o1000) === 0)
      return `${dir} has mode ${modeOf(st)}: other users may write to it and it has no sticky bit`
    const up = dirname(dir)
    if (up === dir) return undefined
    dir = up
  }
}

/**
 * A fresh directory for this run, private and unpredictable: under `$XDG_RUNTIME_DIR` when it
 * is set and private (per-user, in memory, emptied at logout), else under the temp folder,
 * which must not let other users swap entries (`E_APP_DIR_UNSAFE` otherwise).
 */
export function makePrivateRunDir(prefix: string, env: Record<string, string | undefined> = process.env): string {
  const runtimeDir = env.XDG_RUNTIME_DIR
  const usable =
    runtimeDir && isAbsolute(runtimeDir) && !whyNotPrivate(runtimeDir) && !whyParentUnsafe(runtimeDir)
      ? runtimeDir
      : undefined
  const parent = usable ?? (env.TMPDIR || tmpdir())
  if (!usable) {
    const why = whyParentUnsafe(parent)
    if (why)
      throw unsafe(
        `cannot unpack the app safely under ${parent}: ${why}. Another user could replace the app's files there; set TMPDIR (or XDG_RUNTIME_DIR) to a directory only you can write to`,
      )
  }
  const dir = mkdtempSync(join(parent, prefix))
  const why = whyNotPrivate(dir)
  if (why) throw unsafe(`${dir} ${why}: refusing to unpack the app there`)
  return dir
}

function checkRelative(path: string): void {
  if (isAbsolute(path) || normalize(path) !== path.split('/').join(sep) || path.split('/').includes('..'))
    throw unsafe(`embedded file path ${JSON.stringify(path)} is not a plain relative path`)
}

// O_NOFOLLOW where the platform has it; O_EXCL with O_CREAT never follows a final link anyway.
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0)

/**
 * Writes `files` into the empty private directory `root`: every folder made with mode 0700 (no
 * `recursive`, so an existing one is an error), every file created exclusively (`wx`, no link
 * followed). Anything already in the way fails the unpack.
 */
export function writeTreeExclusive(root: string, files: TreeFile[]): void {
  const made = new Set<string>()
  for (const f of files) {
    checkRelative(f.path)
    const parts = f.path.split('/')
    for (let i = 1; i < parts.length; i++) {
      const rel = parts.slice(0, i).join('/')
      if (made.has(rel)) continue
      mkdirSync(join(root, rel), { mode: 0o700 })
      made.add(rel)
    }
    const fd = openSync(join(root, f.path), CREATE_FLAGS, 0o600)
    try {
      let off = 0
      while (off < f.bytes.length) off += writeSync(fd, f.bytes, off)
    } finally {
      closeSync(fd)
    }
  }
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

/**
 * What differs between the tree on disk at `root` and `files` (first difference), or undefined
 * when they are the same: only real folders and regular files (lstat), exactly the expected
 * paths, each with the SHA-256 of its embedded bytes. Checked before anything is imported.
 */
export function treeMismatch(root: string, files: TreeFile[]): string | undefined {
  const expected = new Map(files.map((f) => [f.path, sha256(f.bytes)]))
  const seen = new Set<string>()
  const walk = (rel: string): string | undefined => {
    for (const name of readdirSync(rel ? join(root, rel) : root)) {
      const path = rel ? `${rel}/${name}` : name
      const st = lstatSync(join(root, path))
      if (st.isDirectory()) {
        const why = walk(path)
        if (why) return why
      } else if (!st.isFile()) return `${path} is not a regular file`
      else if (!expected.has(path)) return `${path} is not one of the app's files`
      else if (sha256(readFileSync(join(root, path))) !== expected.get(path))
        return `${path} differs from the embedded file`
      else seen.add(path)
    }
    return undefined
  }
  const why = whyNotPrivate(root) ?? walk('')
  if (why) return why
  const missing = [...expected.keys()].find((p) => !seen.has(p))
  return missing ? `${missing} is missing` : undefined
}

/** Unpacks into a fresh private directory and checks the result; `E_APP_DIR_UNSAFE` otherwise. */
export function unpackPrivate(prefix: string, files: TreeFile[], env?: Record<string, string | undefined>): string {
  const dir = makePrivateRunDir(prefix, env)
  try {
    try {
      writeTreeExclusive(dir, files)
    } catch (err) {
      if (err instanceof MotiaError) throw err
      throw unsafe(`unpacking the app into ${dir} failed: ${(err as Error).message}`)
    }
    const why = treeMismatch(dir, files)
    if (why) throw unsafe(`${dir}: ${why} after unpacking: refusing to load the app from it`)
    return dir
  } catch (err) {
    rmSync(dir, { recursive: true, force: true })
    throw err
  }
}
