// Baseline for bench/http.ts and bench/startup.ts: the bare Elysia hello route, listening on
// port 0 and printing its URL.
import { Elysia } from 'elysia'

const app = new Elysia().get('/hello', () => ({ message: 'Hello' })).listen({ port: 0, hostname: '127.0.0.1' })
console.log(`ready ${app.server!.url.href}`)
