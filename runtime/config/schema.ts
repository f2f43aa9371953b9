import { z } from 'zod'
import { parseBytes, parseDuration } from './duration'

const duration = z.union([z.string(), z.number()]).transform((v, ctx) => {
  try {
    return parseDuration(v)
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message })
    return z.NEVER
  }
})
const bytes = z.union([z.string(), z.number()]).transform((v, ctx) => {
  try {
    return parseBytes(v)
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message })
    return z.NEVER
  }
})
const port = z.number().int().min(0).max(65535)
const adapter = z.enum(['sqlite', 'memory', 'redis'])

/**
 * `config.yaml`, validated once. Every object is strict: an unknown key is an error naming the
 * allowed keys (a typo must not silently fall back to a default).
 */
export const configSchema = z.strictObject({
  host: z.string().default('0.0.0.0'),
  http: z
    .strictObject({
      port: port.default(3111),
      host: z.string().optional(),
      bodyLimit: bytes.default(1024 * 1024),
      timeout: duration.default(30_000),
      concurrency: z.number().int().min(1).default(1024),
      validateBody: z.boolean().default(true),
      traceHeader: z.string().min(1).default('x-trace-id'),
      cors: z
        .strictObject({
          enabled: z.boolean().default(true),
          origin: z.union([z.literal('*'), z.array(z.string())]).default('*'),
          methods: z.array(z.string()).default(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD']),
          headers: z.union([z.literal('*'), z.array(z.string())]).default('*'),
          credentials: z.boolean().default(false),
          maxAge: z.number().int().min(0).default(86400),
        })
        .prefault({}),
    })
    .prefault({}),
  streams: z
    .strictObject({
      port: port.default(3112),
      host: z.string().optional(),
      adapter: adapter.default('sqlite'),
      maxPayload: bytes.default(1024 * 1024),
      onApiPort: z.boolean().default(true),
      backpressureLimit: bytes.default(1024 * 1024),
    })
    .prefault({}),
  state: z.strictObject({ adapter: adapter.default('sqlite') }).prefault({}),
  queue: z
    .strictObject({
      adapter: adapter.default('sqlite'),
      workers: z.number().int().min(1).optional(),
      handlerTimeout: duration.default(30_000),
      defaults: z
        .strictObject({
          type: z.enum(['standard', 'fifo']).default('standard'),
          maxRetries: z.number().int().min(0).default(3),
          backoffType: z.enum(['fixed', 'exponential']).default('exponential'),
          backoffDelayMs: z.number().min(0).default(1000),
          concurrency: z.number().int().min(1).default(10),
          visibilityTimeout: z.number().min(0).default(30),
          delaySeconds: z.number().min(0).default(0),
        })
        .prefault({}),
    })
    .prefault({}),
  cron: z.strictObject({ enabled: z.boolean().default(true), timezone: z.string().default('UTC') }).prefault({}),
  console: z
    .strictObject({
      enabled: z.boolean().optional(),
      port: port.default(3113),
      host: z.string().default('127.0.0.1'),
      token: z.string().min(1).optional(),
    })
    .prefault({}),
  observability: z
    .strictObject({
      enabled: z.boolean().default(true),
      maxTraces: z.number().int().min(1).default(1000),
      otlp: z
        .strictObject({
          endpoint: z.url(),
          headers: z.record(z.string(), z.string()).default({}),
          serviceName: z.string().default('motia'),
        })
        .optional(),
    })
    .prefault({}),
  sqlite: z
    .strictObject({
      path: z.string().min(1).default('.motia/motia.db'),
      synchronous: z.enum(['NORMAL', 'FULL']).default('NORMAL'),
    })
    .prefault({}),
  redis: z
    .strictObject({ url: z.string().default('redis://127.0.0.1:6379'), prefix: z.string().default('motia') })
    .prefault({}),
  logging: z
    .strictObject({
      level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
      format: z.enum(['auto', 'pretty', 'json']).default('auto'),
    })
    .prefault({}),
})

type Parsed = z.output<typeof configSchema>
/** The resolved configuration: every default filled, durations in ms, sizes in bytes. */
export type MotiaConfig = Parsed & { queue: Parsed['queue'] & { workers: number } }
