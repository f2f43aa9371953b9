import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdirSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { type RunningMotia, runMotia, startMotia, testBinary } from '../support/binary'
import { fixtureRuntime, tempDir } from '../support/runtime'

/**
 * Hostile HTTP clients: slow bodies, deep JSON, cross-site posts to /emit, oversized bodies,
 * malformed multipart, prototype-named keys, odd methods. Loopback only, port 0, bounded in
 * count and time. What is about sockets and the process runs the compiled binary
 * (`MOTIA_TEST_BINARY` names another build than dist/motia); the rest runs in-process.
 */

const STEPS: Record<string, string> = {
  'steps/hello.step.ts': `export const config = { name: 'Hello', triggers: [{ type: 'http', method: 'GET', path: '/hello' }] }
export const handler = async () => ({ status: 200, body: { message: 'Hello' } })
`,
  // What a handler sees of a record: its own keys, whether its prototype is still Object's, the values.
  'steps/echo.step.ts': `export const config = {
  name: 'Echo',
  triggers: [{ type: 'http', method: 'POST', path: '/echo' }, { type: 'http', method: 'GET', path: '/query' }],
}
const shape = (v) => v !== null && typeof v === 'object' && !(v instanceof Uint8Array)
  ? { own: Object.getOwnPropertyNames(v).sort(), plainProto: Object.getPrototypeOf(v) === Object.prototype,
      values: Object.fromEntries(Object.getOwnPropertyNames(v).map((k) => [k, v[k]])) }
  : { value: v }
export const handler = async (req) => {
  let hasOwn
  try { hasOwn = req.queryParams.hasOwnProperty('a') } catch (e) { hasOwn = e.constructor.name }
  return { status: 200, body: { body: shape(req.body), query: shape(req.queryParams), hasOwn } }
}
`,
}

const BASE_CONFIG = `sqlite:
  path: \${MOTIA_SQLITE:.motia/motia.db}
streams:
  port: 0
console:
  port: 0
logging:
  format: json
`

const dirs: { dispose(): void }[] = []
afterAll(() => {
  for (const d of dirs) d.dispose()
})

/** A project with the probe steps and `http` config added to the base one. */
function project(http = ''): string {
  const dir = tempDir('motia-hostile-http-')
  dirs.push(dir)
  mkdirSync(join(dir.path, 'steps'))
  for (const [file, text] of Object.entries(STEPS)) writeFileSync(join(dir.path, file), text)
  writeFileSync(join(dir.path, 'config.yaml'), `${BASE_CONFIG}${http ? `http:\n${http}` : ''}`)
  return dir.path
}

interface RawResponse {
  status: number
  headers: Record<string, string>
  body: string
  /** The server closed the connection (within the wait). */
  closed: boolean
  /** Everything received, unparsed. */
  raw: string
}

/**
 * One exchange over a raw socket: `head` (request line and headers, without the blank line),
 * then `body`; with `trickle`, one more byte every `trickle` ms until the socket closes. Resolves
 * when the server closes the connection or after `waitMs`.
 */
function exchange(
  url: string,
  head: string,
  opts: { body?: string; trickle?: number; waitMs?: number } = {},
): Promise<RawResponse> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname)
    let raw = ''
    let timer: ReturnType<typeof setInterval> | undefined
    const done = (closed: boolean) => {
      clearInterval(timer)
      clearTimeout(wait)
      socket.destroy()
      resolve({ ...parseResponse(raw), closed, raw })
    }
    const wait = setTimeout(() => done(false), opts.waitMs ?? 5000)
    socket.on('data', (d) => {
      raw += d.toString('latin1')
    })
    socket.on('close', () => done(true))
    socket.on('error', () => {})
    socket.write(`${head}\r\n\r\n${opts.body ?? ''}`)
    if (opts.trickle) {
      timer = setInterval(() => {
        if (!socket.destroyed) socket.write('1')
      }, opts.trickle)
    }
  })
}

function parseResponse(raw: string): Omit<RawResponse, 'closed' | 'raw'> {
  const end = raw.indexOf('\r\n\r\n')
  if (end < 0) return { status: 0, headers: {}, body: '' }
  const [statusLine, ...lines] = raw.slice(0, end).split('\r\n')
  const headers: Record<string, string> = {}
  for (const l of lines) {
    const i = l.indexOf(':')
    headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim()
  }
  const length = Number(headers['content-length'] ?? raw.length)
  return { status: Number(statusLine!.split(' ')[1]), headers, body: raw.slice(end + 4, end + 4 + length) }
}

/** The JSON error every refusal is, with its code in the header and the trace id in both places. */
function expectErrorShape(r: RawResponse, status: number, code: string): void {
  expect(r.status).toBe(status)
  const body = JSON.parse(r.body)
  expect(body).toMatchObject({ code, traceId: r.headers['x-trace-id'] })
  expect(typeof body.error).toBe('string')
  expect(r.headers['x-motia-error-code']).toBe(code)
}

/** Every line the process wrote is a JSON log record (no stray stack traces on stderr). */
function expectOnlyJsonLines(motia: RunningMotia): void {
  const stray = motia
    .output()
    .split('\n')
    .filter((l) => l.trim() !== '')
    .filter((l) => {
      try {
        JSON.parse(l)
        return false
      } catch {
        return true
      }
    })
  expect(stray).toEqual([])
}

let binary: string
beforeAll(async () => {
  binary = await testBinary()
}, 120_000)

const start = (dir: string, env: Record<string, string> = {}) =>
  startMotia(['start', '--dir', dir, '--port', '0', '--host', '127.0.0.1'], { binary, env })

describe('motia start over sockets', () => {
  test('200 sockets trickling bodies take no concurrency slot: GET /hello answers 200 throughout; they get 429 past the per-client bound, 408 at the body deadline', async () => {
    // 32 slots: the 150 bodies admitted would have taken them all when a body held one.
    const motia = await start(
      project('  concurrency: 32\n  bodyTimeout: 1500ms\n  pendingBodiesPerClient: 150\n  bodyLimit: 64kb\n'),
    )
    try {
      const started = performance.now()
      const head = `POST /echo HTTP/1.1\r\nHost: x\r\nOrigin: http://evil.test\r\nContent-Type: application/json\r\nContent-Length: 1000`
      const slow = Array.from({ length: 200 }, () =>
        exchange(motia.url, head, { body: '{"a":"', trickle: 100, waitMs: 8000 }).then((r) => ({
          ...r,
          ms: performance.now() - started,
        })),
      )
      await Bun.sleep(300)
      const hello: number[] = []
      for (let i = 0; i < 20; i++) {
        hello.push((await fetch(`${motia.url}/hello`)).status)
        await Bun.sleep(25)
      }
      expect(hello).toEqual(Array(20).fill(200))

      const answers = await Promise.all(slow)
      const byStatus = (s: number) => answers.filter((r) => r.status === s)
      expect(answers.map((r) => r.status).sort()).toEqual([...Array(150).fill(408), ...Array(50).fill(429)])
      for (const r of byStatus(429)) {
        expectErrorShape(r, 429, 'E_CLIENT_OVERLOADED')
        expect(r.headers['retry-after']).toBe('1')
        expect(r.closed).toBe(true)
      }
      for (const r of byStatus(408)) {
        expectErrorShape(r, 408, 'E_BODY_TIMEOUT')
        // Browsers see the answer: CORS as on every response.
        expect(r.headers['access-control-allow-origin']).toBe('*')
        expect(r.closed).toBe(true)
        expect(r.ms).toBeGreaterThan(1400)
        expect(r.ms).toBeLessThan(6000)
      }
      // Every pending body was released: a normal request is admitted and served.
      const ok = await fetch(`${motia.url}/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"a":1}',
      })
      expect(ok.status).toBe(200)
      expectOnlyJsonLines(motia)
    } finally {
      await motia.stop()
    }
  }, 30_000)

  describe('one server, default limits but a 1 KB body limit', () => {
    let motia: RunningMotia
    beforeAll(async () => {
      motia = await start(project('  bodyLimit: 1kb\n'))
    })
    afterAll(() => motia?.stop())

    test('413 is JSON with its code, trace id and CORS header, from content-length and from a chunked body; the connection closes', async () => {
      const declared = await exchange(
        motia.url,
        'POST /echo HTTP/1.1\r\nHost: x\r\nOrigin: http://a.test\r\nContent-Type: application/json\r\nContent-Length: 5000',
        { body: '{"a":"' },
      )
      expectErrorShape(declared, 413, 'E_BODY_TOO_LARGE')
      expect(declared.headers['access-control-allow-origin']).toBe('*')
      expect(declared.closed).toBe(true)

      const chunk = `${(800).toString(16)}\r\n${'x'.repeat(800)}\r\n`
      const chunked = await exchange(
        motia.url,
        'POST /echo HTTP/1.1\r\nHost: x\r\nOrigin: http://a.test\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked',
        { body: chunk + chunk },
      )
      expectErrorShape(chunked, 413, 'E_BODY_TOO_LARGE')
      expect(chunked.headers['access-control-allow-origin']).toBe('*')
      expect(chunked.closed).toBe(true)

      // At the limit it is served.
      const at = await fetch(`${motia.url}/echo`, { method: 'POST', body: 'y'.repeat(1024) })
      expect(at.status).toBe(200)
    })

    test('malformed multipart/form-data is 400 E_BODY_MALFORMED', async () => {
      const r = await exchange(
        motia.url,
        'POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: multipart/form-data; boundary=XYZ\r\nContent-Length: 31',
        { body: '--XYZ\r\nnot a part at all, no end' },
      )
      expectErrorShape(r, 400, 'E_BODY_MALFORMED')
    })

    test('CONNECT host:port and methods no step can declare are 501 JSON; nothing stray is logged', async () => {
      for (const line of ['CONNECT example.com:443 HTTP/1.1', 'PROPFIND /hello HTTP/1.1', 'TRACE /x HTTP/1.1']) {
        const r = await exchange(motia.url, `${line}\r\nHost: example.com`)
        expectErrorShape(r, 501, 'E_METHOD_NOT_IMPLEMENTED')
        expect(r.closed).toBe(true)
      }
      expectOnlyJsonLines(motia)
    })

    test('lower-case and unknown methods: Bun closes the connection before any JS runs (oven-sh/bun#6556); the server goes on', async () => {
      // If this starts failing, Bun now hands these requests to JS: answer them 400/501 as JSON.
      for (const line of ['get /hello HTTP/1.1', 'FOO /hello HTTP/1.1']) {
        const r = await exchange(motia.url, `${line}\r\nHost: x`)
        expect({ raw: r.raw, closed: r.closed }).toEqual({ raw: '', closed: true })
      }
      expect((await fetch(`${motia.url}/hello`)).status).toBe(200)
      expectOnlyJsonLines(motia)
    })

    test('POST /emit does not exist in start by default: JSON and cross-site form posts alike are 404', async () => {
      const json = await fetch(`${motia.url}/emit`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ topic: 't', data: {} }),
      })
      expect(json.status).toBe(404)
      expect(((await json.json()) as { code: string }).code).toBe('E_ROUTE_NOT_FOUND')
      // What an <form enctype="text/plain"> on any web page can send.
      const csrf = await fetch(`${motia.url}/emit`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', origin: 'http://evil.test' },
        body: '{"topic":"t","data":{"x":"=1"}}',
      })
      expect(csrf.status).toBe(404)
      const cli = await runMotia(['emit', '--topic', 't', '--url', motia.url], { binary })
      expect(cli.code).toBe(1)
      expect(cli.stderr).toContain('http.emit.enabled')
    })
  })

  test('start refuses http.emit.enabled without http.emit.token', async () => {
    const dir = project('  emit:\n    enabled: true\n')
    const r = await runMotia(['start', '--dir', dir, '--port', '0', '--host', '127.0.0.1'], { binary })
    expect(r.code).not.toBe(0)
    expect(`${r.stdout}${r.stderr}`).toContain('http.emit.enabled is true but http.emit.token is not set')
  })

  test('enabled /emit with a token: the token is required, JSON only, no CORS, deep JSON refused; motia emit sends --token / MOTIA_EMIT_TOKEN', async () => {
    const token = 's3cret-token'
    const motia = await start(project('  emit:\n    enabled: true\n    token: ${EMIT_TOKEN}\n'), { EMIT_TOKEN: token })
    try {
      const post = (headers: Record<string, string>, body: string) =>
        fetch(`${motia.url}/emit`, { method: 'POST', headers: { origin: 'http://evil.test', ...headers }, body })
      const message = JSON.stringify({ topic: 'probe', data: { n: 1 } })
      const auth = { authorization: `Bearer ${token}` }

      const none = await post({ 'content-type': 'application/json' }, message)
      expect(none.status).toBe(401)
      expect(((await none.json()) as { code: string }).code).toBe('E_EMIT_UNAUTHORIZED')
      expect(none.headers.get('access-control-allow-origin')).toBeNull()
      const wrong = await post({ 'content-type': 'application/json', authorization: 'Bearer nope' }, message)
      expect(wrong.status).toBe(401)

      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'text/plain; charset=json']) {
        const r = await post({ 'content-type': type, ...auth }, message)
        expect([type, r.status]).toEqual([type, 415])
        expect(((await r.json()) as { code: string }).code).toBe('E_UNSUPPORTED_MEDIA_TYPE')
      }

      const preflight = await fetch(`${motia.url}/emit`, {
        method: 'OPTIONS',
        headers: {
          origin: 'http://evil.test',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type, authorization',
        },
      })
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull()
      expect(preflight.headers.get('access-control-allow-headers')).toBeNull()

      const ok = await post({ 'content-type': 'application/json', ...auth }, message)
      expect(ok.status).toBe(200)
      expect(ok.headers.get('access-control-allow-origin')).toBeNull()
      expect(await ok.json()).toEqual({ success: true, emitted: { topic: 'probe', data: { n: 1 } } })

      const n = 100_000
      const deep = await post(
        { 'content-type': 'application/json', ...auth },
        `{"topic":"probe","data":${'['.repeat(n)}${']'.repeat(n)}}`,
      )
      expect(deep.status).toBe(400)
      const refused = (await deep.json()) as { code: string; error: string }
      expect(refused.code).toBe('E_BODY_MALFORMED')
      expect(refused.error).not.toContain('call stack')

      const flag = await runMotia(['emit', '--topic', 'probe', '--url', motia.url, '--token', token], { binary })
      expect([flag.code, flag.stderr]).toEqual([0, ''])
      const env = await runMotia(['emit', '--topic', 'probe', '--url', motia.url], {
        binary,
        env: { MOTIA_EMIT_TOKEN: token },
      })
      expect([env.code, env.stderr]).toEqual([0, ''])
      const without = await runMotia(['emit', '--topic', 'probe', '--url', motia.url], { binary })
      expect(without.code).toBe(1)
      expect(without.stderr).toContain('answered 401')
      expect(without.stderr).toContain('--token or MOTIA_EMIT_TOKEN')
      expectOnlyJsonLines(motia)
    } finally {
      await motia.stop()
    }
  }, 30_000)
})

describe('in-process (dev)', () => {
  let rt: Awaited<ReturnType<typeof fixtureRuntime>>
  beforeAll(async () => {
    rt = await fixtureRuntime(project())
  })
  afterAll(() => rt?.stop())

  const post = (path: string, body: BodyInit, type?: string) =>
    rt.request(path, { method: 'POST', body, ...(type ? { headers: { 'content-type': type } } : {}) })

  test('JSON nested deeper than http.maxJsonDepth (256) is 400 E_BODY_MALFORMED, at once; brackets inside strings do not count', async () => {
    const nest = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`
    const started = performance.now()
    for (let i = 0; i < 5; i++) {
      for (const [path, body] of [
        ['/echo', nest(100_000)],
        ['/emit', `{"topic":"t","data":${nest(100_000)}}`],
      ] as const) {
        const r = await post(path, body, 'application/json')
        expect([path, r.status]).toEqual([path, 400])
        const { code, error } = (await r.json()) as { code: string; error: string }
        expect(code).toBe('E_BODY_MALFORMED')
        expect(error).toContain('deeper than 256 levels (http.maxJsonDepth)')
      }
    }
    // Ten 200 KB bodies; parsing or storing one took 1-2 s.
    expect(performance.now() - started).toBeLessThan(1000)
    // Without a content type too (it would be parsed as JSON).
    expect((await post('/echo', nest(300))).status).toBe(400)

    expect((await post('/echo', nest(256), 'application/json')).status).toBe(200)
    expect((await post('/echo', nest(257), 'application/json')).status).toBe(400)
    const inStrings = JSON.stringify({ s: '['.repeat(1000), t: '\\"{{{{'.repeat(300), u: nest(2) })
    const echoed = await post('/echo', inStrings, 'application/json')
    expect(echoed.status).toBe(200)
    expect(((await echoed.json()) as { body: { values: unknown } }).body.values).toEqual(JSON.parse(inStrings))
  })

  const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty']

  test('prototype-named query keys are own data properties of a plain object', async () => {
    const r = (await (await rt.request('/query?a=1&__proto__=p&constructor=c&prototype=t')).json()) as any
    expect(r.query).toEqual({
      own: ['__proto__', 'a', 'constructor', 'prototype'],
      plainProto: true,
      values: { a: '1', ['__proto__']: 'p', constructor: 'c', prototype: 't' },
    })
    // Handlers call queryParams.hasOwnProperty(...): still Object's, unless the client names it.
    expect(r.hasOwn).toBe(true)
    const all = (await (await rt.request(`/query?${PROTO_KEYS.map((k) => `${k}=x&${k}=y`).join('&')}`)).json()) as any
    expect(all.query.own).toEqual([...PROTO_KEYS].sort())
    expect(all.query.plainProto).toBe(true)
    for (const k of PROTO_KEYS) expect(all.query.values[k]).toEqual(['x', 'y'])
  })

  test('prototype-named form fields (url-encoded and multipart) are own data properties; the body keeps its prototype', async () => {
    const urlencoded = PROTO_KEYS.map((k) => `${k}=v`).join('&')
    const form = new FormData()
    for (const k of PROTO_KEYS) form.append(k, 'v')
    for (const res of [
      await post('/echo', urlencoded, 'application/x-www-form-urlencoded'),
      await post('/echo', form),
    ]) {
      const { body } = (await res.json()) as any
      expect(body).toEqual({
        own: [...PROTO_KEYS].sort(),
        plainProto: true,
        values: Object.fromEntries(PROTO_KEYS.map((k) => [k, 'v'])),
      })
    }
  })

  test('prototype-named JSON keys stay own data properties', async () => {
    const json = `{${PROTO_KEYS.map((k) => `"${k}":{"x":1}`).join(',')}}`
    const { body } = (await (await post('/echo', json, 'application/json')).json()) as any
    expect(body.own).toEqual([...PROTO_KEYS].sort())
    expect(body.plainProto).toBe(true)
    expect(body.values).toEqual(JSON.parse(json))
  })

  test('dev serves /emit without a token, but JSON only and with no CORS headers', async () => {
    const form = await rt.request('/emit', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.test' },
      body: 'topic=t&data=x',
    })
    expect(form.status).toBe(415)
    expect(form.headers.get('access-control-allow-origin')).toBeNull()
    const ok = await rt.request('/emit', {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', origin: 'http://evil.test' },
      body: JSON.stringify({ topic: 't', data: 1 }),
    })
    expect(ok.status).toBe(200)
    expect(ok.headers.get('access-control-allow-origin')).toBeNull()
  })
})

test('in start, an /emit that fails answers its code without the internal message (logged instead)', async () => {
  const rt = await fixtureRuntime(project('  emit:\n    enabled: true\n    token: t0k3n\n'), { mode: 'start' })
  try {
    const enqueue = rt.engine.enqueue
    rt.engine.enqueue = async () => {
      throw new Error('attempt to write a readonly database')
    }
    const r = await rt.request('/emit', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer t0k3n' },
      body: JSON.stringify({ topic: 't', data: 1 }),
    })
    rt.engine.enqueue = enqueue
    expect(r.status).toBe(500)
    const body = (await r.json()) as Record<string, unknown>
    expect(body).toEqual({ error: 'Could not enqueue the message', code: 'E_HANDLER_FAILED', traceId: body.traceId })
    const logged = rt.records.find((l) => l.level === 'error' && l.traceId === body.traceId)
    expect(logged?.msg).toContain('attempt to write a readonly database')
  } finally {
    await rt.stop()
  }
})
