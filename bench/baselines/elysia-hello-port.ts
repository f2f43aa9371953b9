// Baseline for bench/startup.ts: bare Elysia hello on the port given as argument.
import { Elysia } from 'elysia'

new Elysia()
  .get('/hello', () => ({ message: 'Hello' }))
  .listen({ port: Number(process.argv[2]), hostname: '127.0.0.1' })
