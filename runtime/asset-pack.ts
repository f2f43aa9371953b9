import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'

/**
 * A directory the binary carries (dist/.motia-assets, dist/.app-runtime: ~11 MB of bundled JS
 * and declarations) is embedded as one zstd-compressed file, `<name>.pack` (under 1 MB). Only
 * the commands that read it (create, install, test, generate-types, build --compile) unpack it,
 * in memory; start-up never does.
 *
 * Layout before compression: a u32 (little endian) header length, the JSON header
 * `[[path, size], ...]`, then every file's bytes in that order.
 */
export type FileTree = Map<string, Uint8Array>

/** `dist/.motia-assets` → `motia-assets.pack`: the file build.ts writes beside the directory. */
export function packName(dir: string): string {
  return `${basename(dir).replace(/^\./, '')}.pack`
}

/** Every file under `dir`, by its path relative to it (`/`-separated), sorted. */
export function readTree(dir: string): FileTree {
  const files: FileTree = new Map()
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name
      if (statSync(join(dir, r)).isDirectory()) walk(r)
      else files.set(r, readFileSync(join(dir, r)))
    }
  }
  walk('')
  return files
}

export function pack(files: FileTree, level: number): Uint8Array {
  const header = Buffer.from(JSON.stringify([...files].map(([path, bytes]) => [path, bytes.length])))
  const length = Buffer.alloc(4)
  length.writeUInt32LE(header.length)
  return Bun.zstdCompressSync(Buffer.concat([length, header, ...files.values()]), { level })
}

export function unpack(packed: Uint8Array): FileTree {
  const raw = Buffer.from(Bun.zstdDecompressSync(packed))
  const headerLength = raw.readUInt32LE(0)
  const header = JSON.parse(raw.subarray(4, 4 + headerLength).toString('utf8')) as [string, number][]
  const files: FileTree = new Map()
  let at = 4 + headerLength
  for (const [path, size] of header) {
    files.set(path, raw.subarray(at, at + size))
    at += size
  }
  return files
}

/**
 * The files of `dir` (a path of the build, relative to the repository root): from its pack
 * embedded in the binary (an asset file lands under its own name at the root of the embedded
 * file system), or from the directory itself when running from source after a build.
 * Undefined when neither is there.
 */
export function embeddedTree(dir: string): FileTree | undefined {
  const embedded = join('/$bunfs/root', packName(dir))
  if (existsSync(embedded)) return unpack(readFileSync(embedded))
  const built = resolve(import.meta.dir, '..', dir)
  return existsSync(built) ? readTree(built) : undefined
}

/** Writes every file of `files` under `to`. */
export function writeTree(files: FileTree, to: string): void {
  for (const [rel, bytes] of files) {
    mkdirSync(dirname(join(to, rel)), { recursive: true })
    writeFileSync(join(to, rel), bytes)
  }
}
