import { MotiaError } from '../../runtime/errors'

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

/**
 * Reads and parses a request body by content type: JSON, text, url-encoded and multipart forms,
 * bytes otherwise. The raw bytes are read once and kept (`bytes`). Over `limit` bytes → 413
 * (checked from content-length before reading, and again after, for chunked bodies);
 * malformed JSON → 400.
 */
export async function readBody(request: Request, limit: number): Promise<ParsedBody> {
  if (!request.body) return NO_BODY
  const declared = request.headers.get('content-length')
  if (declared !== null && Number(declared) > limit) throw tooLarge(Number(declared), limit)
  const type = request.headers.get('content-type') ?? ''
  const bytes = new Uint8Array(await request.arrayBuffer())
  if (bytes.byteLength > limit) throw tooLarge(bytes.byteLength, limit)
  if (bytes.byteLength === 0) return NO_BODY

  if (type.startsWith('multipart/form-data')) {
    const form = await new Response(bytes, { headers: { 'content-type': type } }).formData().catch((err: Error) => {
      throw new MotiaError('E_BODY_MALFORMED', `Malformed multipart body: ${err.message}`)
    })
    return { body: formRecord(form), rawBody: '', bytes }
  }

  const isJson = type.includes('json')
  if (isJson || type === '' || type.startsWith('text/') || type.startsWith('application/x-www-form-urlencoded')) {
    const text = new TextDecoder().decode(bytes)
    if (isJson) return { body: parseJson(text), rawBody: text, bytes }
    if (type.startsWith('application/x-www-form-urlencoded'))
      return { body: formRecord(new URLSearchParams(text)), rawBody: text, bytes }
    if (type === '') {
      // No content type: JSON when it parses (curl -d without -H), the text otherwise.
      const c = text.trimStart()[0]
      if (c === '{' || c === '[') {
        try {
          return { body: JSON.parse(text), rawBody: text, bytes }
        } catch {}
      }
    }
    return { body: text, rawBody: text, bytes }
  }
  return { body: bytes, rawBody: '', bytes }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new MotiaError('E_BODY_MALFORMED', `Malformed JSON body: ${(err as Error).message}`)
  }
}

function tooLarge(size: number, limit: number): MotiaError {
  return new MotiaError('E_BODY_TOO_LARGE', `Request body is ${size} bytes; the limit is ${limit} bytes`, {
    details: { limit },
  })
}

function formRecord(entries: Iterable<[string, unknown]>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of entries) {
    const prev = out[k]
    if (prev === undefined) out[k] = v
    else if (Array.isArray(prev)) prev.push(v)
    else out[k] = [prev, v]
  }
  return out
}
