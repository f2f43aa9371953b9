import { statfsSync } from 'node:fs'
import { dirname } from 'node:path'
import { MotiaError } from '../../runtime/errors'

/** What went wrong with a SQLite file, as far as what to do about it goes. */
export type StorageTrouble = 'busy' | 'full' | 'readonly' | 'corrupt' | 'failed'

const REASONS: Record<StorageTrouble, string> = {
  busy: 'another connection holds its write lock',
  full: 'the disk is full',
  readonly: 'it cannot be written (read-only file, folder or mount)',
  corrupt: 'it is not a database or is damaged',
  failed: 'an I/O error',
}

const CODES = {
  busy: 'E_STORAGE_BUSY',
  full: 'E_STORAGE_FULL',
  readonly: 'E_STORAGE_READONLY',
  corrupt: 'E_STORAGE_CORRUPT',
  failed: 'E_STORAGE_FAILED',
} as const

/** SQLite's result code of an error thrown by bun:sqlite (`SQLITE_BUSY`), if it is one. */
export function sqliteCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined
}

/** The kind of a SQLite error, or undefined for anything else (a constraint is a bug, not trouble). */
export function storageTrouble(err: unknown): StorageTrouble | undefined {
  if (err instanceof MotiaError) {
    const kind = Object.entries(CODES).find(([, c]) => c === err.code)?.[0]
    return kind as StorageTrouble | undefined
  }
  const code = sqliteCode(err)
  if (!code) return undefined
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'busy'
  if (code.startsWith('SQLITE_FULL')) return 'full'
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_PERM')
    return 'readonly'
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return 'corrupt'
  if (code.startsWith('SQLITE_IOERR') || code === 'SQLITE_PROTOCOL' || code === 'SQLITE_NOLFS') return 'failed'
  return undefined
}

/**
 * A SQLite error as a MotiaError naming the file: `…/.motia/motia.db: the disk is full
 * (SQLITE_FULL)`, with a stable `E_STORAGE_*` code and HTTP status. Other errors pass through.
 */
export function storageError(err: unknown, file: string): unknown {
  if (err instanceof MotiaError) return err
  let kind = storageTrouble(err)
  if (!kind) return err
  // SQLite reports some writes that found no space (its shared-memory file) as I/O errors.
  if (kind === 'failed' && diskIsFull(file)) kind = 'full'
  const code = sqliteCode(err)!
  const detail = (err as Error).message
  const reason = code.startsWith('SQLITE_CANTOPEN')
    ? 'it cannot be opened (permissions, or a read-only folder or mount)'
    : REASONS[kind]
  return new MotiaError(CODES[kind], `${file}: ${reason} (${code}: ${detail})`, {
    details: { file, sqliteCode: code },
    cause: err,
  })
}

function diskIsFull(file: string): boolean {
  if (file === ':memory:') return false
  try {
    return statfsSync(dirname(file)).bavail === 0
  } catch {
    return false
  }
}
