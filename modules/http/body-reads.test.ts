import { afterEach, describe, expect, test } from 'bun:test'
import type { Server } from 'bun'
import type { MotiaConfig } from '../../runtime/config/schema'
import { defaultConfig } from '../../runtime/config/schema'
import { BodyReads, clientAddress } from './body-reads'
import { Deadlines } from './deadlines'

/** A stand-in for Bun's server: only `requestIP` is used, answering per request. */
const serverFor = (address: (r: Request) => string) =>
  ({ requestIP: (r: Request) => ({ address: address(r), family: 'IPv4', port: 1 }) }) as unknown as Server<any>

/** A request whose body never finishes arriving (a client trickling it); `drop()` is the client leaving. */
const trickling = (from = '10.0.0.1') => {
  let controller!: ReadableStreamDefaultController<Uint8Array>
  const body = new ReadableStream<Uint8Array>({
    start: (c) => {
      controller = c
      c.enqueue(new TextEncoder().encode('{"a":'))
    },
  })
  const request = new Request('http://x/echo', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-from': from },
    body,
  })
  return Object.assign(request, { drop: () => controller.error(new Error('The connection was closed.')) })
}
const server = serverFor((r) => r.headers.get('x-from')!)

const deadlines = new Deadlines(5)
afterEach(() => deadlines.stop())

const reads = (http: Partial<MotiaConfig['http']>) =>
  new BodyReads({ ...(defaultConfig().http as MotiaConfig['http']), ...http }, deadlines)

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'read',
    (e: { code: string }) => e.code,
  )

describe('BodyReads', () => {
  test('a body that does not arrive within bodyTimeout is E_BODY_TIMEOUT', async () => {
    const started = performance.now()
    expect(await codeOf(reads({ bodyTimeout: 40 }).read(trickling()))).toBe('E_BODY_TIMEOUT')
    expect(performance.now() - started).toBeGreaterThanOrEqual(39)
  })

  test('one client address has at most pendingBodiesPerClient bodies arriving; a slot frees when one ends', async () => {
    const r = reads({ bodyTimeout: 60_000, pendingBodiesPerClient: 2 })
    const a = trickling('10.0.0.1')
    const first = codeOf(r.read(a, server))
    const second = codeOf(r.read(trickling('10.0.0.1'), server))
    expect(await codeOf(r.read(trickling('10.0.0.1'), server))).toBe('E_CLIENT_OVERLOADED')
    // Another address is counted apart.
    const other = codeOf(r.read(trickling('10.0.0.2'), server))
    expect(r.pendingClients()).toBe(2)
    // The client goes away: its read fails and its slot is released.
    a.drop()
    expect(await first).toBe('E_BODY_MALFORMED')
    const done = new Request('http://x/echo', { method: 'POST', headers: { 'x-from': '10.0.0.1' }, body: '{"ok":1}' })
    expect((await r.read(done, server)).body).toEqual({ ok: 1 })
    void second
    void other
  })

  test('in-process requests (no server) are not counted per client', async () => {
    const r = reads({ pendingBodiesPerClient: 1 })
    const ok = () => new Request('http://x/', { method: 'POST', body: 'x', headers: { 'content-type': 'text/plain' } })
    expect((await Promise.all([r.read(ok()), r.read(ok())])).map((b) => b.body)).toEqual(['x', 'x'])
    expect(r.pendingClients()).toBe(0)
  })

  test('a chunked body is counted as it arrives and refused past bodyLimit', async () => {
    let pulled = 0
    const endless = new ReadableStream({
      pull: (c) => {
        pulled++
        c.enqueue(new Uint8Array(1000))
      },
    })
    const request = new Request('http://x/', { method: 'POST', body: endless })
    expect(await codeOf(reads({ bodyLimit: 4096 }).read(request))).toBe('E_BODY_TOO_LARGE')
    expect(pulled).toBeLessThan(10)
  })
})

describe('clientAddress', () => {
  const socket = serverFor(() => '10.9.9.9')
  const req = (xff?: string) => new Request('http://x/', xff ? { headers: { 'x-forwarded-for': xff } } : {})

  test('the socket address unless proxies are trusted; then X-Forwarded-For from the right', () => {
    expect(clientAddress(req('1.1.1.1'), socket, 0)).toBe('10.9.9.9')
    expect(clientAddress(req(), socket, 1)).toBe('10.9.9.9')
    expect(clientAddress(req('6.6.6.6, 1.1.1.1, 2.2.2.2'), socket, 1)).toBe('2.2.2.2')
    expect(clientAddress(req('6.6.6.6, 1.1.1.1, 2.2.2.2'), socket, 2)).toBe('1.1.1.1')
    // Fewer entries than proxies: the leftmost there is.
    expect(clientAddress(req('1.1.1.1'), socket, 3)).toBe('1.1.1.1')
  })
})
