/**
 * ioredis and BullMQ, a third of the runtime's code, which the embedded default never runs. A
 * compiled binary carries this file as an entrypoint of its own (build.ts), loaded by
 * `redisLibraries()` when an adapter first connects to Redis: one copy of ioredis for BullMQ and
 * for the state, streams and cron adapters alike.
 */
export { Queue, Worker } from 'bullmq'
export { default as Redis } from 'ioredis'
