/**
 * Bare Bun.serve answering `GET /hello` with `{ message: 'Hello' }`, plus only what motia's
 * HTTP features need of Bun on every request (MOTIA_BENCH_FLOOR): `plain` nothing, `header` one
 * response header set after `Response.json` (motia's `x-trace-id`), `read` one request header
 * read (the incoming trace id, `traceparent`, `Origin`), `both` the two. bench/instructions.ts
 * `--only floor` counts each: the least a request can cost a server with those features.
 */
const mode = process.env.MOTIA_BENCH_FLOOR ?? 'plain'
const readsHeader = mode === 'read' || mode === 'both'
const setsHeader = mode === 'header' || mode === 'both'
const traceId = '4bf92f3577b34da6a3ce929d0e0e4736'

const floor = Bun.serve({
  port: Number(process.env.PORT ?? 0),
  hostname: '127.0.0.1',
  routes: {
    '/hello': (request) => {
      if (readsHeader) request.headers.get('x-trace-id')
      const r = Response.json({ message: 'Hello' })
      if (setsHeader) r.headers.set('x-trace-id', traceId)
      return r
    },
  },
})
console.log(`ready ${floor.url}`)
