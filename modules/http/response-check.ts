import { MotiaError } from '../../runtime/errors'

/**
 * A handler's answer that HTTP cannot carry: a status outside 200-599, a header name that is not
 * a token, a header value holding CR, LF, NUL or a character above U+00FF. Bun's Response throws
 * on each; checked first so the 500 names the problem (`message`, in every mode: it describes
 * the app's answer, never its data) and the request is answered like any failed handler.
 */
export class InvalidResponse extends MotiaError {
  constructor(problem: string) {
    super('E_HANDLER_FAILED', problem)
    this.name = 'InvalidResponse'
  }
}

/** The handler's status, when HTTP can answer with it; throws InvalidResponse otherwise. */
export function checkedStatus(status: unknown): number {
  if (typeof status === 'number' && Number.isInteger(status) && status >= 200 && status <= 599) return status
  const shown = typeof status === 'string' ? JSON.stringify(status) : String(status)
  const rule = typeof status === 'number' && Number.isInteger(status) ? '200-599' : 'an integer 200-599'
  throw new InvalidResponse(`status ${shown} is not a valid HTTP status (${rule})`)
}

// RFC 9110 token characters; Bun's Headers accepts exactly these in a name.
const NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
// What Bun's Headers refuses in a value (fetch: no NUL, CR, LF; a ByteString).
const BAD_VALUE = /[\0\r\n]|[^\0-\xff]/

/** The handler's own headers, names lower-cased and values made strings, each checked (InvalidResponse). */
export function checkedHeaders(h: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const k in h) {
    const name = k.toLowerCase()
    if (!NAME.test(name)) throw new InvalidResponse(`header name ${JSON.stringify(k)} is not a valid HTTP header name`)
    const value = String(h[k])
    const bad = BAD_VALUE.exec(value)
    if (bad) throw new InvalidResponse(`header "${k}" has ${describe(bad[0])} in its value, which HTTP cannot carry`)
    out[name] = value
  }
  return out
}

function describe(ch: string): string {
  if (ch === '\r') return 'a CR (\\r)'
  if (ch === '\n') return 'an LF (\\n)'
  if (ch === '\0') return 'a NUL (\\0)'
  return `the character U+${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} (above U+00FF)`
}
