import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import type { Server } from 'bun'
import { FIXTURES, fixtureRuntime } from './support/runtime'

// How HTTP steps behave as they did under Motia, per generation: 1.x request body streams and
// streamed responses, the 1.x condition answer, and bodySchema left to 0.x handlers.
const DIR = join(FIXTURES, 'http-compat')

let rt: Awaited<ReturnType<typeof fixtureRuntime>>
/** The same runtime over a real socket (Bun's native routes, not the in-process router). */
let url: string
beforeAll(async () => {
  rt = await fixtureRuntime(DIR, { listen: true })
  url = `http://127.0.0.1:${(rt.services.shared.get('http.server') as Server<unknown>).port}`
})
afterAll(() => rt.stop())

type Send = (path: string, init?: RequestInit) => Promise<Response>
const inProcess: Send = (path, init) => rt.request(path, init)
const overSocket: Send = (path, init) => fetch(url + path, init)

const sha256 = (bytes: Uint8Array) => new Bun.CryptoHasher('sha256').update(bytes).digest('hex')
const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes)

/** What /body-stream reports for a body whose raw bytes are `bytes`. */
const streamed = (bytes: Uint8Array, parsed: string, chunks = 1) => ({
  chunks,
  buffers: true,
  size: bytes.byteLength,
  sha256: sha256(bytes),
  parsed,
  readAll: true,
})

describe('1.x request.requestBody.stream', () => {
  test('yields the raw bytes of JSON, text, form, multipart, binary and empty bodies', async () => {
    const post = async (body: BodyInit | undefined, type?: string) => {
      const res = await rt.request('/body-stream', {
        method: 'POST',
        headers: type ? { 'content-type': type } : {},
        ...(body === undefined ? {} : { body }),
      })
      expect(res.status).toBe(200)
      return res.json()
    }
    const enc = (s: string) => new TextEncoder().encode(s)
    const json = '{ "a": 1,  "b": [true] }'
    expect(await post(json, 'application/json')).toEqual(streamed(enc(json), 'object'))
    expect(await post('plain words', 'text/plain')).toEqual(streamed(enc('plain words'), 'string'))
    expect(await post('a=1&b=2', 'application/x-www-form-urlencoded')).toEqual(streamed(enc('a=1&b=2'), 'object'))
    const bytes = new Uint8Array([0, 1, 2, 255, 254])
    expect(await post(bytes, 'application/octet-stream')).toEqual(streamed(bytes, 'bytes'))
    // Multipart: the bytes exactly as the client encoded them (boundary and all).
    const form = new FormData()
    form.append('name', 'ada')
    form.append('file', new File(['file body'], 'a.txt', { type: 'text/plain' }))
    const encoded = new Request('http://x', { method: 'POST', body: form })
    // (Read before the body: Bun loses this header of a consumed FormData request.)
    const type = encoded.headers.get('content-type')!
    const raw = new Uint8Array(await encoded.arrayBuffer())
    expect(await post(raw, type)).toEqual(streamed(raw, 'object'))
    expect(await post(undefined)).toEqual({ ...streamed(new Uint8Array(0), 'object'), chunks: 0 })
  })

  test('a 2 MB body arrives whole, in 64 KB chunks, in-process and over a socket', async () => {
    const big = new Uint8Array(2 * 1024 * 1024).map((_, i) => (i * 7) % 256)
    for (const send of [inProcess, overSocket]) {
      const res = await send('/body-stream', {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream' },
        body: big,
      })
      expect(await res.json()).toEqual(streamed(big, 'bytes', 32))
    }
  })
})

describe('1.x response writer', () => {
  for (const [name, send] of [
    ['in-process', inProcess],
    ['over a socket', overSocket],
  ] as const) {
    test(`SSE as in Motia's example: body from requestBody.stream, each event as written (${name})`, async () => {
      const id = `${name}-${crypto.randomUUID()}`
      const res = await send(`/sse-gated?id=${id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-trace-id': `trace-${id.slice(-12)}` },
        body: 'topic=news&n=2',
      })
      expect(res.status).toBe(201)
      expect(res.headers.get('content-type')).toBe('text/event-stream')
      expect(res.headers.get('cache-control')).toBe('no-cache')
      expect(res.headers.get('x-trace-id')).toBe(`trace-${id.slice(-12)}`)
      const reader = res.body!.getReader()
      // The handler is held at its gate: this event can only have come while it runs.
      expect(text((await reader.read()).value)).toBe('event: first\ndata: topic=news&n=2\n\n')
      expect((await send(`/sse-gated/release?id=${id}`, { method: 'POST' })).status).toBe(204)
      let rest = ''
      for (let r = await reader.read(); !r.done; r = await reader.read()) rest += text(r.value)
      expect(rest).toBe('event: second\ndata: 2\n\n')
    })
  }

  test('the first to come wins: a started stream over a returned value, and the reverse', async () => {
    const written = await rt.request('/written-then-returned')
    expect([written.status, await written.text()]).toEqual([200, 'streamed'])
    const returned = await rt.request('/returned-then-written')
    expect([returned.status, await returned.json()]).toEqual([202, { returned: true }])
  })

  test('headers merge by name; status and headers set after the first write are ignored; stream.end() ends it', async () => {
    const res = await rt.request('/late-headers')
    expect([res.status, res.headers.get('x-early'), res.headers.get('x-late'), await res.text()]).toEqual([
      203,
      'yes',
      null,
      'ab',
    ])
  })

  test('close() with nothing written answers with the status (a valid one) and headers set', async () => {
    const res = await rt.request('/closed-empty')
    expect([res.status, res.headers.get('x-closed'), await res.text()]).toEqual([204, 'yes', ''])
  })

  test('response.stream is a Node Writable: a Readable pipes into it', async () => {
    const res = await rt.request('/piped')
    expect([res.headers.get('content-type'), await res.text()]).toEqual(['text/plain', 'one two three'])
  })

  test('a handler failing mid-stream cuts the body short and is logged', async () => {
    const res = await rt.request('/stream-then-throw')
    expect(res.status).toBe(200)
    const err = await res.text().catch((e: Error) => e)
    expect(err).toBeInstanceOf(Error)
    const traceId = res.headers.get('x-trace-id')
    expect(rt.records.find((r) => r.traceId === traceId && r.level === 'error')?.msg).toContain('failed mid-stream')
  })
})

describe('1.x condition', () => {
  test("false → 422 with Motia's exact body; the code and trace id in headers", async () => {
    for (const send of [inProcess, overSocket]) {
      const res = await send('/cond', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-trace-id': 'cond-trace-1' },
        body: '{"ok":false}',
      })
      expect(res.status).toBe(422)
      expect(await res.text()).toBe('{"error":"Request condition not met","skipped":true}')
      expect(res.headers.get('content-type')).toContain('application/json')
      expect(res.headers.get('x-motia-error-code')).toBe('E_CONDITION_NOT_MET')
      expect(res.headers.get('x-trace-id')).toBe('cond-trace-1')
    }
    const ok = await rt.request('/cond', { method: 'POST', body: '{"ok":true}' })
    expect([ok.status, await ok.json()]).toEqual([200, { ran: true }])
  })
})

describe('bodySchema per generation (http.validateBody)', () => {
  const invalid = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":42}' }
  const answer = async (res: Response) => ({
    status: res.status,
    code: res.headers.get('x-motia-error-code'),
    body: await res.json(),
  })
  const runtimeRefusal = {
    status: 400,
    code: 'E_BODY_INVALID',
    body: {
      error: 'Invalid request body',
      code: 'E_BODY_INVALID',
      issues: [{ path: 'name', message: expect.any(String) }],
      traceId: expect.any(String),
    },
  }
  const legacyOwn = { status: 400, code: null, body: { message: 'name is required' } }

  test('auto (default): a 0.x step validates in its handler; a 1.x step is refused by the runtime', async () => {
    for (const send of [inProcess, overSocket]) {
      expect(await answer(await send('/legacy/people', invalid))).toEqual(legacyOwn)
      expect(await answer(await send('/people', invalid))).toEqual(runtimeRefusal)
    }
    const valid = { ...invalid, body: '{"name":"ada"}' }
    expect(await (await rt.request('/legacy/people', valid)).json()).toEqual({ name: 'ada' })
  })

  test('always: the runtime refuses invalid bodies of 0.x steps too; never: no step is refused', async () => {
    {
      await using strict = await fixtureRuntime(DIR, { env: { VALIDATE_BODY: 'always' } })
      expect(await answer(await strict.request('/legacy/people', invalid))).toEqual(runtimeRefusal)
      expect(await answer(await strict.request('/people', invalid))).toEqual(runtimeRefusal)
    }
    {
      await using off = await fixtureRuntime(DIR, { env: { VALIDATE_BODY: 'never' } })
      expect(await answer(await off.request('/legacy/people', invalid))).toEqual(legacyOwn)
      expect(await answer(await off.request('/people', invalid))).toEqual({
        status: 201,
        code: null,
        body: { received: { name: 42 } },
      })
    }
  })
})
