import { z } from 'zod'
import { type AlertRule, alertRulesSchema } from './alert-schema'
import { parseBytes, parseDuration } from './duration'
import type { SamplingConfig } from './sampling-config'

export type { SamplingConfig, SamplingRule } from './sampling-config'

export type AdapterName = 'sqlite' | 'memory' | 'redis'
/** The queue has one more backend: RabbitMQ (`rabbitmq.url`). */
export type QueueAdapterName = AdapterName | 'rabbitmq'

/** The resolved configuration: every default filled, durations in ms, sizes in bytes, deep-frozen. */
export interface MotiaConfig {
  /** Default bind address of the HTTP and streams servers. */
  readonly host: string
  readonly http: HttpConfig
  readonly streams: StreamsConfig
  readonly state: { readonly adapter: AdapterName }
  readonly queue: QueueModuleConfig
  readonly cron: { readonly enabled: boolean; readonly timezone: string }
  readonly console: ConsoleConfig
  readonly observability: ObservabilityConfig
  /** `path` is absolute (or `:memory:`). */
  readonly sqlite: { readonly path: string; readonly synchronous: 'NORMAL' | 'FULL' }
  readonly redis: { readonly url: string; readonly prefix: string }
  /** `queue.adapter: rabbitmq`: the broker, the name prefix of its exchanges and queues, and their type. */
  readonly rabbitmq: {
    readonly url: string
    readonly prefix: string
    readonly queueType: 'classic' | 'quorum'
  }
  readonly logging: { readonly level: 'debug' | 'info' | 'warn' | 'error'; readonly format: 'auto' | 'pretty' | 'json' }
  /** Probe endpoints for load balancers and orchestrators, on the API port. */
  readonly health: HealthConfig
  /** Milliseconds a graceful shutdown (SIGTERM) lets in-flight requests and jobs run. */
  readonly shutdownTimeout: number
  /**
   * This process among several on one Redis: `service.instance.id` on exported spans and in
   * health answers. From the file, else `MOTIA_INSTANCE_ID`, else `<hostname>-<pid>`.
   */
  readonly instanceId: string
  readonly python: PythonConfig
  readonly iii: IiiConfig
}

/** The iii worker port (modules/iii, docs/iii.md): iii SDK workers attach here. */
export interface IiiConfig {
  /** Off unless set, or the file sets `iii.port` (or iii's top-level `port:`). */
  readonly enabled: boolean
  readonly port: number
  /** Loopback unless configured. */
  readonly host: string
  /** When set, workers must present it (`Authorization: Bearer`, or `?token=`). */
  readonly token?: string
  /** Bytes: a bigger frame closes that worker's connection. */
  readonly maxMessageBytes: number
  /** Milliseconds an invocation of a worker function may take. */
  readonly invocationTimeout: number
  /** iii's named queues (`TriggerAction.Enqueue({ queue })`), from its QueueModule `queue_configs`. */
  readonly queues: Readonly<Record<string, IiiQueueConfig>>
  /** iii's Bridge adapters: `state::*` / `stream::*` served by another iii engine at this ws:// URL. */
  readonly bridge: { readonly state?: string; readonly streams?: string }
}

export interface IiiQueueConfig {
  readonly max_retries: number
  readonly concurrency: number
  readonly type: 'standard' | 'fifo'
  readonly message_group_field?: string
}

/** Python steps (modules/python, docs/python.md). */
export interface PythonConfig {
  /** Unset: `MOTIA_PYTHON`, then `.venv/bin/python`, then `python3` on PATH. */
  readonly interpreter?: string
  /** Python processes; each runs many invocations at once. */
  readonly workers: number
  /** Threads per process for sync (`def`) handlers. */
  readonly threads: number
}

export interface HealthConfig {
  readonly enabled: boolean
  /** Liveness: 200 while the process serves. */
  readonly live: string
  /** Readiness: 200 when every module is ready, 503 naming what is not (and while draining). */
  readonly ready: string
}

export interface HttpConfig {
  readonly port: number
  /** `http.host` from the file, else the top-level `host`. */
  readonly host: string
  /** Bytes. */
  readonly bodyLimit: number
  /** Milliseconds; the default for every HTTP handler. */
  readonly timeout: number
  /** Requests being handled (their body read); one more is answered 503. */
  readonly concurrency: number
  /** Milliseconds a request body may take to arrive; 408 past it. */
  readonly bodyTimeout: number
  /** Arrays and objects a JSON body may nest; deeper is a 400. */
  readonly maxJsonDepth: number
  /** Requests from one client address whose body is still arriving; one more is answered 429. */
  readonly pendingBodiesPerClient: number
  /** Proxies in front whose `X-Forwarded-For` names the client (0: the socket's address). */
  readonly trustProxy: number
  readonly emit: EmitConfig
  /**
   * Where `bodySchema` is enforced: `auto` on 1.x (`triggers`) steps only, `always`, `never`
   * (`true`/`false` in the file mean `always`/`never`).
   */
  readonly validateBody: 'auto' | 'always' | 'never'
  /** Lower-case header name. */
  readonly traceHeader: string
  readonly cors: CorsConfig
}

/** `POST /emit`. */
export interface EmitConfig {
  /** Unset: the mode decides (on in `dev`, off in `start`). */
  readonly enabled?: boolean
  /** Required as `Authorization: Bearer <token>` when set; `start` refuses to enable it without one. */
  readonly token?: string
}

export interface CorsConfig {
  readonly enabled: boolean
  readonly origin: '*' | readonly string[]
  /** Upper-case method names. */
  readonly methods: readonly string[]
  readonly headers: '*' | readonly string[]
  readonly credentials: boolean
  /** Seconds. */
  readonly maxAge: number
}

export interface StreamsConfig {
  readonly port: number
  /** `streams.host` from the file, else the top-level `host`. */
  readonly host: string
  readonly adapter: AdapterName
  /** Bytes. */
  readonly maxPayload: number
  readonly onApiPort: boolean
  /** Bytes. */
  readonly backpressureLimit: number
  /**
   * Per-socket limits (bytes unless said); unset means the default in modules/streams/limits.ts,
   * where they are resolved (docs/streams.md, Limits).
   */
  readonly maxIdLength?: number
  /** Subscriptions. */
  readonly maxSubscriptions?: number
  readonly maxSubscriptionBytes?: number
  /** Items. */
  readonly maxSyncItems?: number
  readonly maxSyncBytes?: number
}

export interface QueueModuleConfig {
  readonly adapter: QueueAdapterName
  /** Worker threads for background handlers. */
  readonly workers: number
  /** How worker threads share the CPU with the engine thread. */
  readonly workerPriority: 'idle' | 'low' | 'normal'
  /** Milliseconds. */
  readonly handlerTimeout: number
  readonly defaults: QueueDefaults
}

export interface QueueDefaults {
  readonly type: 'standard' | 'fifo'
  readonly maxRetries: number
  readonly backoffType: 'exponential' | 'fixed'
  readonly backoffDelayMs: number
  readonly concurrency: number
  /** Seconds. */
  readonly visibilityTimeout: number
  /** Seconds. */
  readonly delaySeconds: number
}

export interface ConsoleConfig {
  /** Unset: the mode decides (on in `dev`, off in `start`). */
  readonly enabled?: boolean
  readonly port: number
  readonly host: string
  readonly token?: string
}

export interface ObservabilityConfig {
  readonly enabled: boolean
  /** Where traces are kept for the console: the project's SQLite file, or memory (tests). */
  readonly store: 'sqlite' | 'memory'
  readonly maxTraces: number
  readonly otlp?: {
    readonly endpoint: string
    readonly headers: Readonly<Record<string, string>>
    readonly serviceName: string
    /** ms between exports. */
    readonly interval: number
    /** Export metrics too (OTLP/HTTP JSON, cumulative). */
    readonly metrics: boolean
    /** Unset: `endpoint` with `/v1/traces` replaced by `/v1/metrics`. */
    readonly metricsEndpoint?: string
    /** ms between metric exports. */
    readonly metricsInterval: number
  }
  readonly metrics: MetricsConfig
  /** Absent: every execution is recorded (as before sampling existed). docs/observability.md, Sampling. */
  readonly sampling?: SamplingConfig
  /** Alert rules over the metrics (docs/observability.md, Alerts). */
  readonly alerts: readonly AlertRule[]
}

/** `observability.metrics`: the Prometheus endpoint (docs/observability.md). */
export interface MetricsConfig {
  readonly enabled: boolean
  readonly path: string
  /** Unset: on the console's server when the console runs, else its own on `console.port`. */
  readonly port?: number
  /** Unset: `console.host`. */
  readonly host?: string
  /** Unset: `console.token`; required beyond loopback. */
  readonly token?: string
}

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

/** What an absent or empty `config.yaml` means (deep-frozen); `resolveConfig` fills in the rest per machine. */
export const DEFAULT_CONFIG: ParsedConfig = deepFreeze(configSchema.parse({}))

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const v of Object.values(value)) deepFreeze(v)
  }
  return value
}
