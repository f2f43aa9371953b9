// Baseline for bench/python.ts, the physical limit of the Python design: a bare Bun.serve route
// that sends each request to one python3 process as a JSON line on its stdin (written once per
// event-loop turn) and answers with the JSON line it echoes on stdout. No routing, tracing,
// SDK or handler call on either side: only the two JSON codecs and the pipe.
const ECHO = `
import json, os, sys
out = os.fdopen(1, "wb", buffering=0)
buf = b""
while True:
    chunk = os.read(0, 1 << 16)
    if not chunk:
        break
    buf += chunk
    *lines, buf = buf.split(b"\\n")
    replies = []
    for line in lines:
        if line:
            m = json.loads(line)
            replies.append(json.dumps({"id": m["id"], "status": 200, "body": {"message": "Hello"}}).encode())
    if replies:
        out.write(b"\\n".join(replies) + b"\\n")
`
const py = Bun.spawn([process.env.PYTHON ?? 'python3', '-u', '-c', ECHO], { stdin: 'pipe', stdout: 'pipe' })
const pending = new Map<number, (body: unknown) => void>()
let nextId = 1
let queued: string[] = []
const flush = () => {
  py.stdin.write(queued.join(''))
  py.stdin.flush()
  queued = []
}
void (async () => {
  const decoder = new TextDecoder()
  let buf = ''
  for await (const chunk of py.stdout) {
    buf += decoder.decode(chunk, { stream: true })
    let nl = buf.indexOf('\n')
    while (nl >= 0) {
      const m = JSON.parse(buf.slice(0, nl)) as { id: number; body: unknown }
      buf = buf.slice(nl + 1)
      nl = buf.indexOf('\n')
      pending.get(m.id)?.(m.body)
      pending.delete(m.id)
    }
  }
})()
const server = Bun.serve({
  port: 0,
  hostname: '127.0.0.1',
  routes: {
    '/hello': (req) =>
      new Promise<Response>((resolve) => {
        const id = nextId++
        pending.set(id, (body) => resolve(Response.json(body)))
        if (queued.length === 0) queueMicrotask(flush)
        queued.push(`${JSON.stringify({ type: 'invoke', id, method: req.method, path: '/hello', headers: {} })}\n`)
      }),
  },
})
console.log(`ready ${server.url.href}`)
