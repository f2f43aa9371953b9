import { expect, test } from 'bun:test'
import { configSchema, defaultConfig } from './schema'

const messages = (input: unknown) =>
  configSchema.safeParse(input).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? []

test('defaultConfig() is what an empty file means, deep-frozen', () => {
  expect(defaultConfig()).toEqual({
    host: '0.0.0.0',
    http: {
      port: 3111,
      bodyLimit: 1_048_576,
      timeout: 30_000,
      concurrency: 1024,
      bodyTimeout: 30_000,
      maxJsonDepth: 256,
      pendingBodiesPerClient: 64,
      trustProxy: 0,
      emit: {},
      validateBody: 'auto',
      traceHeader: 'x-trace-id',
      cors: {
        enabled: true,
        origin: '*',
        methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'],
        headers: '*',
        credentials: false,
        maxAge: 86_400,
      },
    },
    streams: {
      port: 3112,
      adapter: 'sqlite',
      maxPayload: 1_048_576,
      onApiPort: true,
      backpressureLimit: 1_048_576,
    },
    state: { adapter: 'sqlite' },
    queue: {
      adapter: 'sqlite',
      workerPriority: 'idle',
      handlerTimeout: 30_000,
      defaults: {
        type: 'standard',
        maxRetries: 3,
        backoffType: 'exponential',
        backoffDelayMs: 1000,
        concurrency: 10,
        visibilityTimeout: 30,
        delaySeconds: 0,
      },
    },
    cron: { enabled: true, timezone: 'UTC' },
    console: { port: 3113, host: '127.0.0.1' },
    observability: {
      enabled: true,
      store: 'sqlite',
      maxTraces: 1000,
      metrics: { enabled: true, path: '/metrics' },
      alerts: [],
    },
    sqlite: { path: '.motia/motia.db', synchronous: 'NORMAL' },
    redis: { url: 'redis://127.0.0.1:6379', prefix: 'motia' },
    rabbitmq: { url: 'amqp://guest:guest@127.0.0.1:5672', prefix: 'motia', queueType: 'classic' },
    logging: { level: 'info', format: 'auto' },
    health: { enabled: true, live: '/__motia/health', ready: '/__motia/ready' },
    shutdownTimeout: 10_000,
    python: { workers: 1, threads: 32 },
    iii: {
      port: 49134,
      host: '127.0.0.1',
      maxMessageBytes: 16_777_216,
      invocationTimeout: 30_000,
      queues: {},
      bridge: {},
    },
  })
  expect(Object.isFrozen(defaultConfig().http.cors.methods)).toBe(true)
  expect(configSchema.parse({})).toEqual(defaultConfig())
})

test('values are normalised: units, seconds, header and method case, empty optional text', () => {
  const c = configSchema.parse({
    http: { traceHeader: 'X-Request-Id', cors: { methods: ['get', 'Post'] }, host: '' },
    queue: { defaults: { visibilityTimeout: '2m', delaySeconds: 5, backoffDelayMs: '2s' } },
    console: { token: 12345 },
  })
  expect([c.http.traceHeader, c.http.cors.methods, c.http.host, c.console.token]).toEqual([
    'x-request-id',
    ['GET', 'POST'],
    undefined,
    '12345',
  ])
  expect(c.queue.defaults).toMatchObject({ visibilityTimeout: 120, delaySeconds: 5, backoffDelayMs: 2000 })
})

test('problems say what was expected and what was given', () => {
  expect(
    messages({
      http: { port: 70000, concurrency: 0, timeout: '0s', validateBody: 'yes', cors: { origin: 'https://a.test' } },
      streams: { adapter: 'postgres' },
      cron: { timezone: 'Mars/Olympus' },
      observability: { otlp: { endpoint: 'not a url' } },
      redis: { url: 'http://x' },
      rabbitmq: { url: 'redis://x', queueType: 'stream' },
      queue: { adapter: 'kafka' },
      logging: 5,
    }),
  ).toEqual([
    'http.port: expected an integer between 0 and 65535, got 70000',
    'http.timeout: expected a duration above 0, got "0s"',
    'http.concurrency: expected an integer of at least 1, got 0',
    'http.validateBody: expected one of: auto, always, never (or true/false), got "yes"',
    'http.cors.origin: expected "*" or a list of origins, got "https://a.test"',
    'streams.adapter: expected one of: sqlite, memory, redis, got "postgres"',
    'queue.adapter: expected one of: sqlite, memory, redis, rabbitmq, got "kafka"',
    'cron.timezone: expected an IANA time zone such as UTC or Europe/Paris, got "Mars/Olympus"',
    'observability.otlp.endpoint: expected a URL such as http://localhost:4318/v1/traces, got "not a url"',
    'redis.url: expected a redis:// or rediss:// URL, got "http://x"',
    'rabbitmq.url: expected an amqp:// or amqps:// URL, got "redis://x"',
    'rabbitmq.queueType: expected one of: classic, quorum, got "stream"',
    'logging: expected a mapping, got 5',
  ])
  expect(messages({ observability: { otlp: {} } })).toEqual([
    'observability.otlp.endpoint: required: expected a URL such as http://localhost:4318/v1/traces',
  ])
})
