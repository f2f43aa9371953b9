import { MotiaError } from '../../runtime/errors'
import { nestedDeeperThan } from './json-depth'
import { multiRecord } from './multi-record'

export interface ParsedBody {
  body: unknown
  rawBody: string
  /** The body as received, whatever its type: what 1.x `request.requestBody.stream` yields. */
  bytes: Uint8Array
}

export const NO_BODY: ParsedBody = Object.freeze({
  body: undefined,
  rawBody: '',
  bytes: new Uint8Array(0),
}) as ParsedBody

export interface BodyLimits {
  /** Bytes (`http.bodyLimit`). */
  readonly bytes: number
  /** Arrays and objects nested in a JSON body (`http.maxJsonDepth`). */
  readonly jsonDepth: number
}

/**
 * Reads and parses a request body by content type: JSON, text, url-encoded and multipart forms,
 * bytes otherwise. The raw bytes are read once and kept (`bytes`). Over `limits.bytes` → 413:
 * from content-length before reading, else counted as a chunked body arrives (reading stops
 * there). Malformed, or JSON nested deeper than `limits.jsonDepth` → 400.
 */
export async function readBody(request: Request, limits: BodyLimits): Promise<ParsedBody> {
  if (!request.body) return NO_BODY
  const bytes = await readBytes(request, request.body, limits.bytes)
  if (bytes.byteLength === 0) return NO_BODY
  const type = request.headers.get('content-type') ?? ''

  if (type.startsWith('multipart/form-data')) {
    const form = await new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { 'content-type': type } })
      .formData()
      .catch((err: Error) => {
        throw new MotiaError('E_BODY_MALFORMED', `Malformed multipart body: ${err.message}`)
      })
    return { body: multiRecord(form), rawBody: '', bytes }
  }

  const isJson = type.includes('json')
  if (isJson || type === '' || type.startsWith('text/') || type.startsWith('application/x-www-form-urlencoded')) {
    const text = new TextDecoder().decode(bytes)
    if (isJson) {
      checkDepth(bytes, limits.jsonDepth)
      return { body: parseJson(text), rawBody: text, bytes }
    }
    if (type.startsWith('application/x-www-form-urlencoded'))
      return { body: multiRecord(new URLSearchParams(text)), rawBody: text, bytes }
    if (type === '') {
      // No content type: JSON when it parses (curl -d without -H), the text otherwise.
      const c = text.trimStart()[0]
      if (c === '{' || c === '[') {
        checkDepth(bytes, limits.jsonDepth)
        try {
          return { body: JSON.parse(text), rawBody: text, bytes }
        } catch {}
      }
    }
    return { body: text, rawBody: text, bytes }
  }
  return { body: bytes, rawBody: '', bytes }
}

/**
 * The whole body. With a content-length Bun delivers exactly that many bytes (over the limit
 * it is refused unread); a chunked body is counted as it arrives and dropped past the limit.
 */
async function readBytes(request: Request, stream: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> {
  const declared = request.headers.get('content-length')
  if (declared !== null) {
    if (Number(declared) > limit) throw tooLarge(`${declared} bytes`, limit)
    const bytes = await request.bytes()
    // A Request made in-process may carry a body longer than its header says.
    if (bytes.byteLength > limit) throw tooLarge(`${bytes.byteLength} bytes`, limit)
    return bytes
  }
  const chunks: Uint8Array[] = []
  let size = 0
  const reader = stream.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      reader.cancel().catch(() => {})
      throw tooLarge(`over ${limit} bytes`, limit)
    }
    chunks.push(value)
  }
  if (chunks.length === 1) return chunks[0]!
  const out = new Uint8Array(size)
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.byteLength
  }
  return out
}

/** Nesting is refused before anything parses or serialises the body (json-depth.ts says why). */
function checkDepth(bytes: Uint8Array, max: number): void {
  if (nestedDeeperThan(bytes, max)) {
    throw new MotiaError(
      'E_BODY_MALFORMED',
      `JSON body nests arrays and objects deeper than ${max} levels (http.maxJsonDepth)`,
    )
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new MotiaError('E_BODY_MALFORMED', `Malformed JSON body: ${(err as Error).message}`)
  }
}

function tooLarge(size: string, limit: number): MotiaError {
  return new MotiaError('E_BODY_TOO_LARGE', `Request body is ${size}; the limit is ${limit} bytes`, {
    details: { limit },
  })
}
