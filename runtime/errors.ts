import { ERROR_CODES, type ErrorCode } from './error-codes'

export interface MotiaErrorOptions {
  details?: unknown
  cause?: unknown
  status?: number
}

/** Base of every error the runtime raises on purpose: a stable `code`, an HTTP `status`, `details`. */
export class MotiaError extends Error {
  readonly code: ErrorCode
  readonly status: number
  readonly details: unknown

  constructor(code: ErrorCode, message: string, options: MotiaErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'MotiaError'
    // A code from elsewhere (a worker's reply carrying `SQLITE_FULL`, say) must not make the
    // constructor itself throw: it becomes E_INTERNAL and the original is kept in details.
    const known = (ERROR_CODES as Record<string, { status: number } | undefined>)[code]
    this.code = known ? code : 'E_INTERNAL'
    this.status = options.status ?? (known ?? ERROR_CODES.E_INTERNAL).status
    this.details = known
      ? options.details
      : { originalCode: code, ...(options.details === undefined ? {} : { details: options.details }) }
  }

  toJSON(): { code: ErrorCode; message: string; details?: unknown } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details }
  }
}

/** One problem found while loading a project: where (file, field) and what was expected. */
export interface LoadProblem {
  file: string
  field?: string
  message: string
  code: ErrorCode
}

export function formatProblem(p: LoadProblem): string {
  return p.field ? `${p.file}: ${p.field}: ${p.message}` : `${p.file}: ${p.message}`
}

/** Plain data form of any thrown value, safe to cross a worker boundary or to log. */
export interface SerializedError {
  name: string
  message: string
  code?: string
  stack?: string
  details?: unknown
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error) {
    const out: SerializedError = { name: err.name, message: err.message }
    if (err.stack) out.stack = err.stack
    const code = (err as { code?: unknown }).code
    if (typeof code === 'string') out.code = code
    const details = (err as { details?: unknown }).details
    if (details !== undefined) out.details = details
    return out
  }
  return { name: 'Error', message: typeof err === 'string' ? err : safeString(err) }
}

function safeString(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v)
  } catch {
    return String(v)
  }
}
