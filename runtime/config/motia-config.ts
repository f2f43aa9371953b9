/**
 * The resolved configuration's shape (MotiaConfig and its sections): what modules read.
 * schema.ts validates `config.yaml` and load-config.ts resolves it into this.
 */
import type { AlertRule } from './alert-schema'
import type { SamplingConfig } from './sampling-config'

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
