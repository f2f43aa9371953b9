import { z } from 'zod'
import { alertRulesSchema } from './alert-schema'
import { parseBytes, parseDuration } from './duration'

export type {
  AdapterName,
  ConsoleConfig,
  CorsConfig,
  EmitConfig,
  HealthConfig,
  HttpConfig,
  IiiConfig,
  IiiQueueConfig,
  MetricsConfig,
  MotiaConfig,
  ObservabilityConfig,
  PythonConfig,
  QueueAdapterName,
  QueueDefaults,
  QueueModuleConfig,
  StreamsConfig,
} from './motia-config'
export type { SamplingConfig, SamplingRule } from './sampling-config'

/** How a value reads in a problem: `"abc"`, `42`, `a list`, `a mapping`. */
export function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list'
  if (value !== null && typeof value === 'object') return 'a mapping'
  return typeof value === 'string' ? JSON.stringify(value) : String(value)
}

const expected = (what: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? `required: expected ${what}` : `expected ${what}, got ${describeValue(issue.input)}`

function int(min: number, max?: number) {
  const error = expected(max === undefined ? `an integer of at least ${min}` : `an integer between ${min} and ${max}`)
  const n = z.number({ error }).int({ error }).min(min, { error })
  return max === undefined ? n : n.max(max, { error })
}
const port = int(0, 65535)
const bool = z.boolean({ error: expected('true or false') })
/** Numbers are taken as text too, so `token: ${TOKEN}` works when the token happens to be digits. */
const text = z.union([z.string(), z.number().transform(String)], { error: expected('a string') })
/** Text that may be left empty (`${VAR:}`), which means unset. */
const optionalText = text.transform((v) => (v === '' ? undefined : v)).optional()
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: expected(`one of: ${values.join(', ')}`) })
/** A share between 0 and 1 (sampling). */
const ratio = z
  .number({ error: expected('a number between 0 and 1') })
  .min(0, { error: expected('a number between 0 and 1') })
  .max(1, { error: expected('a number between 0 and 1') })
const adapter = oneOf(['sqlite', 'memory', 'redis'])
const starOrList = (what: string) =>
  z.union([z.literal('*'), z.array(z.string())], { error: expected(`"*" or a list of ${what}`) })

/** A value read by `parse` (which throws naming the accepted forms), optionally above 0. */
function parsed(parse: (v: unknown) => number, positive?: string) {
  return z.union([z.string(), z.number()]).transform((v, ctx) => {
    try {
      const n = parse(v)
      if (!positive || n > 0) return n
      ctx.addIssue({ code: 'custom', message: `expected ${positive} above 0, got ${describeValue(v)}` })
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message })
    }
    return z.NEVER
  })
}
const duration = parsed(parseDuration, 'a duration')
const bytes = parsed(parseBytes)
const size = parsed(parseBytes, 'a size')
/** A number of seconds, or a duration string (`"30s"`, `"5m"`). */
const seconds = parsed((v) => {
  const n = typeof v === 'number' || /^\s*\d+(\.\d+)?\s*$/.test(String(v)) ? Number(v) : Number.NaN
  if (n >= 0) return n
  try {
    return parseDuration(v) / 1000
  } catch {
    throw new Error(`expected a number of seconds or a duration such as "30s", got ${describeValue(v)}`)
  }
})
const timezone = text.refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz })
      return true
    } catch {
      return false
    }
  },
  { error: expected('an IANA time zone such as UTC or Europe/Paris') },
)
/** `auto` | `always` | `never`; the booleans of earlier files mean `always` / `never`. */
const bodyValidation = z
  .union([z.enum(['auto', 'always', 'never']), z.boolean()], {
    error: expected('one of: auto, always, never (or true/false)'),
  })
  .transform((v) => (v === true ? 'always' : v === false ? 'never' : v))
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
/** A fixed route path (no `:params`, no wildcards), for the health endpoints. */
const fixedPath = text.refine((p) => /^\/[^\s:*?#]*$/.test(p), {
  error: expected('a path starting with "/" without :params or wildcards'),
})

/** A strict mapping: an unknown key is a problem naming the allowed ones (a typo must not fall back to a default). */
function section<T extends z.core.$ZodLooseShape>(shape: T) {
  const keys = Object.keys(shape).join(', ')
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? `unknown key (expected one of: ${keys})` : expected('a mapping')(issue),
  })
}

/** `config.yaml` as written: validated, defaults filled. `resolveConfig` turns it into a MotiaConfig. */
export const configSchema = section({
  host: text.default('0.0.0.0'),
  http: section({
    port: port.default(3111),
    host: optionalText,
    bodyLimit: bytes.default(1024 ** 2),
    timeout: duration.default(30_000),
    concurrency: int(1).default(1024),
    bodyTimeout: duration.default(30_000),
    maxJsonDepth: int(1).default(256),
    pendingBodiesPerClient: int(1).default(64),
    trustProxy: z
      .union([bool, int(0)], { error: expected('true, false or a number of proxies') })
      .transform((v) => (v === true ? 1 : v === false ? 0 : v))
      .default(0),
    emit: section({ enabled: bool.optional(), token: optionalText }).prefault({}),
    validateBody: bodyValidation.default('auto'),
    traceHeader: text
      .refine((h) => HEADER_NAME.test(h), { error: expected('an HTTP header name') })
      .transform((h) => h.toLowerCase())
      .default('x-trace-id'),
    cors: section({
      enabled: bool.default(true),
      origin: starOrList('origins').default('*'),
      methods: z
        .array(z.string(), { error: expected('a list of HTTP methods') })
        .transform((ms) => ms.map((m) => m.toUpperCase()))
        .default(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD']),
      headers: starOrList('header names').default('*'),
      credentials: bool.default(false),
      maxAge: int(0).default(86_400),
    }).prefault({}),
  }).prefault({}),
  streams: section({
    port: port.default(3112),
    host: optionalText,
    adapter: adapter.default('sqlite'),
    maxPayload: bytes.default(1024 ** 2),
    onApiPort: bool.default(true),
    backpressureLimit: bytes.default(1024 ** 2),
    maxIdLength: size.optional(),
    maxSubscriptions: int(1).optional(),
    maxSubscriptionBytes: size.optional(),
    maxSyncItems: int(1).optional(),
    maxSyncBytes: size.optional(),
  }).prefault({}),
  state: section({ adapter: adapter.default('sqlite') }).prefault({}),
  queue: section({
    adapter: oneOf(['sqlite', 'memory', 'redis', 'rabbitmq']).default('sqlite'),
    workers: int(1).optional(),
    workerPriority: oneOf(['idle', 'low', 'normal']).default('idle'),
    handlerTimeout: duration.default(30_000),
    defaults: section({
      type: oneOf(['standard', 'fifo']).default('standard'),
      maxRetries: int(0).default(3),
      backoffType: oneOf(['exponential', 'fixed']).default('exponential'),
      backoffDelayMs: parsed(parseDuration).default(1000),
      concurrency: int(1).default(10),
      visibilityTimeout: seconds.default(30),
      delaySeconds: seconds.default(0),
    }).prefault({}),
  }).prefault({}),
  cron: section({ enabled: bool.default(true), timezone: timezone.default('UTC') }).prefault({}),
  console: section({
    enabled: bool.optional(),
    port: port.default(3113),
    host: text.default('127.0.0.1'),
    token: optionalText,
  }).prefault({}),
  observability: section({
    enabled: bool.default(true),
    store: oneOf(['sqlite', 'memory']).default('sqlite'),
    maxTraces: int(1).default(1000),
    otlp: section({
      endpoint: z.url({ error: expected('a URL such as http://localhost:4318/v1/traces') }),
      headers: z.record(z.string(), text, { error: expected('a mapping of header names to values') }).default({}),
      serviceName: text.default('motia'),
      interval: duration.default(1000),
      metrics: bool.default(true),
      metricsEndpoint: z.url({ error: expected('a URL such as http://localhost:4318/v1/metrics') }).optional(),
      metricsInterval: duration.default(60_000),
    }).optional(),
    metrics: section({
      enabled: bool.default(true),
      path: fixedPath.default('/metrics'),
      port: port.optional(),
      host: optionalText,
      token: optionalText,
    }).prefault({}),
    sampling: section({
      ratio: ratio.default(1),
      rules: z
        .array(
          section({
            route: text.optional(),
            method: text.transform((m) => m.toUpperCase()).optional(),
            step: text.optional(),
            topic: text.optional(),
            trigger: oneOf(['http', 'queue', 'cron', 'state', 'stream']).optional(),
            name: text.optional(),
            ratio,
          }),
          { error: expected('a list of rules ({ route, method, step, topic, trigger, name, ratio })') },
        )
        .default([]),
      parentBased: bool.default(true),
      maxTracesPerSecond: int(1).optional(),
      keepErrors: bool.default(true),
      keepSlowerThan: duration.optional(),
    }).optional(),
    alerts: alertRulesSchema({ section, text, duration, expected }).default([]),
  }).prefault({}),
  sqlite: section({
    path: text.default('.motia/motia.db'),
    synchronous: oneOf(['NORMAL', 'FULL']).default('NORMAL'),
  }).prefault({}),
  redis: section({
    url: text
      .refine((u) => /^rediss?:\/\/./.test(u), { error: expected('a redis:// or rediss:// URL') })
      .default('redis://127.0.0.1:6379'),
    prefix: text.default('motia'),
  }).prefault({}),
  rabbitmq: section({
    url: text
      .refine((u) => /^amqps?:\/\/./.test(u), { error: expected('an amqp:// or amqps:// URL') })
      .default('amqp://guest:guest@127.0.0.1:5672'),
    prefix: text
      .refine((p) => p !== '' && Buffer.byteLength(p) <= 100, { error: expected('a name prefix of 1 to 100 bytes') })
      .default('motia'),
    queueType: oneOf(['classic', 'quorum']).default('classic'),
  }).prefault({}),
  logging: section({
    level: oneOf(['debug', 'info', 'warn', 'error']).default('info'),
    format: oneOf(['auto', 'pretty', 'json']).default('auto'),
  }).prefault({}),
  health: section({
    enabled: bool.default(true),
    live: fixedPath.default('/__motia/health'),
    ready: fixedPath.default('/__motia/ready'),
  }).prefault({}),
  shutdownTimeout: duration.default(10_000),
  instanceId: optionalText,
  python: section({
    interpreter: optionalText,
    workers: int(1, 64).default(1),
    threads: int(1, 1024).default(32),
  }).prefault({}),
  iii: section({
    enabled: bool.optional(),
    port: port.default(49134),
    host: text.default('127.0.0.1'),
    token: optionalText,
    maxMessageBytes: bytes.default(16 * 1024 ** 2),
    invocationTimeout: duration.default(30_000),
    queues: z
      .record(
        z.string(),
        section({
          max_retries: int(0).default(3),
          concurrency: int(1).default(10),
          type: oneOf(['standard', 'fifo']).default('standard'),
          message_group_field: optionalText,
        }),
        { error: expected('a mapping of queue names to { max_retries, concurrency, type, message_group_field }') },
      )
      .default({}),
    bridge: section({ state: optionalText, streams: optionalText }).prefault({}),
  }).prefault({}),
})

/** A validated `config.yaml` before resolution: hosts and `queue.workers` may be unset, `sqlite.path` relative. */
export type ParsedConfig = z.output<typeof configSchema>

/**
 * Parses a config document once. Without zod's JIT (`jitless`): its fast path compiles a parser
 * per object schema with `new Function`, which pays for itself only over many parses; the config
 * is parsed once, on the way to the first request.
 */
export function parseConfig(input: unknown) {
  return configSchema.safeParse(input, { jitless: true })
}

let defaults: ParsedConfig | undefined
/**
 * What an absent or empty `config.yaml` means (deep-frozen); `resolveConfig` fills in the rest
 * per machine. Built on first use, not at import: a project with a config.yaml never needs it.
 */
export function defaultConfig(): ParsedConfig {
  if (!defaults) {
    const r = parseConfig({})
    if (!r.success) throw r.error
    defaults = deepFreeze(r.data)
  }
  return defaults
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const v of Object.values(value)) deepFreeze(v)
  }
  return value
}
