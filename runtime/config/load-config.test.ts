import { afterEach, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MotiaError } from '../errors'
import { type ConfigOverrides, loadConfig, resolveConfig } from './load-config'
import { defaultConfig } from './schema'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function project(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'motia-cfg-'))
  dirs.push(dir)
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return dir
}
const load = (yaml: string, env: Record<string, string> = {}, overrides?: ConfigOverrides) =>
  loadConfig({ dir: project({ 'config.yaml': yaml }), env, cpus: 4, ...(overrides ? { overrides } : {}) })

async function rejection(yaml: string, env: Record<string, string> = {}): Promise<MotiaError> {
  const err = await load(yaml, env).then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(err instanceof MotiaError)) throw new Error(`expected a MotiaError, got ${String(err)}`)
  return err
}

describe('loadConfig', () => {
  test('no file: defaults for one machine, resolved against the project dir', async () => {
    const dir = project()
    const loaded = await loadConfig({ dir, env: {}, cpus: 4 })
    expect(loaded).toEqual({ config: resolveConfig(defaultConfig(), { dir, cpus: 4 }), warnings: [] })
    expect(loaded.config).toMatchObject({
      http: { host: '0.0.0.0', port: 3111 },
      streams: { host: '0.0.0.0', port: 3112 },
      queue: { workers: 4, workerPriority: 'idle' },
      sqlite: { path: join(dir, '.motia', 'motia.db') },
    })
  })

  test('an empty file (or only comments) means defaults too, and reports the file', async () => {
    const dir = project({ 'config.yml': '# nothing yet\n' })
    const { config, file } = await loadConfig({ dir, env: {}, cpus: 1 })
    expect(file).toBe(join(dir, 'config.yml'))
    expect(config).toEqual(resolveConfig(defaultConfig(), { dir, cpus: 1 }))
    expect(config.queue.workers).toBe(1)
  })

  test('a full file', async () => {
    const { config } = await load(`
host: 127.0.0.1
http:
  port: 8080
  host: 0.0.0.0
  bodyLimit: 64kb
  timeout: 5s
  concurrency: 50
  validateBody: false
  traceHeader: X-Request-Id
  cors: { enabled: true, origin: [https://a.test], methods: [get, post], headers: [content-type], credentials: true, maxAge: 60 }
streams: { port: 9001, adapter: memory, maxPayload: 512kb, onApiPort: false, backpressureLimit: 2mb }
state: { adapter: memory }
queue:
  adapter: memory
  workers: 2
  workerPriority: low
  handlerTimeout: 2m
  defaults: { maxRetries: 1, backoffType: fixed, backoffDelayMs: 250, concurrency: 2, visibilityTimeout: 1m, delaySeconds: 5, type: fifo }
cron: { enabled: false, timezone: Europe/Paris }
console: { enabled: true, port: 9002, host: 0.0.0.0, token: s3cret }
observability:
  enabled: true
  maxTraces: 50
  otlp: { endpoint: "http://otel:4318/v1/traces", headers: { x-key: k }, serviceName: shop }
sqlite: { path: /var/data/app.db, synchronous: FULL }
redis: { url: "redis://cache:6380", prefix: shop }
rabbitmq: { url: "amqps://app:\${MQ_PASSWORD:pw}@mq:5671/shop", prefix: shop, queueType: quorum }
logging: { level: debug, format: json }
health: { live: /hz, ready: /readyz }
shutdownTimeout: 30s
instanceId: api-1
`)
    expect(config).toEqual({
      host: '127.0.0.1',
      http: {
        port: 8080,
        host: '0.0.0.0',
        bodyLimit: 65_536,
        timeout: 5000,
        concurrency: 50,
        bodyTimeout: 30_000,
        maxJsonDepth: 256,
        pendingBodiesPerClient: 64,
        trustProxy: 0,
        emit: {},
        validateBody: 'never',
        traceHeader: 'x-request-id',
        cors: {
          enabled: true,
          origin: ['https://a.test'],
          methods: ['GET', 'POST'],
          headers: ['content-type'],
          credentials: true,
          maxAge: 60,
        },
      },
      streams: {
        port: 9001,
        host: '127.0.0.1',
        adapter: 'memory',
        maxPayload: 524_288,
        onApiPort: false,
        backpressureLimit: 2_097_152,
      },
      state: { adapter: 'memory' },
      queue: {
        adapter: 'memory',
        workers: 2,
        workerPriority: 'low',
        handlerTimeout: 120_000,
        defaults: {
          maxRetries: 1,
          backoffType: 'fixed',
          backoffDelayMs: 250,
          concurrency: 2,
          visibilityTimeout: 60,
          delaySeconds: 5,
          type: 'fifo',
        },
      },
      cron: { enabled: false, timezone: 'Europe/Paris' },
      console: { enabled: true, port: 9002, host: '0.0.0.0', token: 's3cret' },
      observability: {
        enabled: true,
        store: 'sqlite',
        maxTraces: 50,
        otlp: {
          endpoint: 'http://otel:4318/v1/traces',
          headers: { 'x-key': 'k' },
          serviceName: 'shop',
          interval: 1000,
          metrics: true,
          metricsInterval: 60_000,
        },
        metrics: { enabled: true, path: '/metrics' },
        alerts: [],
      },
      sqlite: { path: '/var/data/app.db', synchronous: 'FULL' },
      redis: { url: 'redis://cache:6380', prefix: 'shop' },
      rabbitmq: { url: 'amqps://app:pw@mq:5671/shop', prefix: 'shop', queueType: 'quorum' },
      logging: { level: 'debug', format: 'json' },
      health: { enabled: true, live: '/hz', ready: '/readyz' },
      shutdownTimeout: 30_000,
      instanceId: 'api-1',
      python: { workers: 1, threads: 32 },
      iii: {
        enabled: false,
        port: 49134,
        host: '127.0.0.1',
        maxMessageBytes: 16_777_216,
        invocationTimeout: 30_000,
        queues: {},
        bridge: {},
      },
    })
  })

  test('env interpolation: values, defaults, numbers coerced, empty values unset', async () => {
    const { config } = await load(
      'http:\n  port: ${PORT:3111}\n  host: ${HOST}\n  validateBody: ${VALIDATE:true}\nredis:\n  url: redis://${RH:localhost}:6379\nconsole:\n  token: ${TOKEN:}\n  enabled:\n',
      { PORT: '9000', HOST: '10.0.0.1' },
    )
    expect([config.http.port, config.http.host, config.http.validateBody]).toEqual([9000, '10.0.0.1', 'always'])
    expect(config.redis.url).toBe('redis://localhost:6379')
    expect(config.console).toEqual({ port: 3113, host: '127.0.0.1' })
    expect((await load('http:\n  port: ${PORT:3111}\n')).config.http.port).toBe(3111)
  })

  test('a missing variable is reported at its ${ and hides the type problem it causes', async () => {
    const err = await rejection('redis:\n  url: ${REDIS_URL}\nhttp:\n  port: ${PORT}\n')
    expect(err.code).toBe('E_CONFIG_INVALID')
    expect(err.message).toBe(
      [
        'config.yaml is invalid:',
        '  config.yaml:2:8: redis.url: environment variable REDIS_URL is not set and has no default (write ${REDIS_URL:default})',
        '  config.yaml:4:9: http.port: environment variable PORT is not set and has no default (write ${PORT:default})',
      ].join('\n'),
    )
  })

  test('every problem is listed in file order with line:column, in the message and in details', async () => {
    const err = await rejection(
      [
        'nope: 1',
        'http:',
        '  port: abc',
        '  prot: 1',
        '  cors:',
        '    origin: [https://a.test, 42]',
        'queue:',
        '  defaults:',
        '    backoffType: linear',
        'observability:',
        '  otlp:',
        '    serviceName: x',
        'logging: { level: loud, format: json }',
        'state: { adapter: "${ADAPTER:postgres}" }',
      ].join('\n'),
    )
    expect(err.message.split('\n')).toEqual([
      'config.yaml is invalid:',
      '  config.yaml:1:1: nope: unknown key (expected one of: host, http, streams, state, queue, cron, console, observability, sqlite, redis, rabbitmq, logging, health, shutdownTimeout, instanceId, python, iii)',
      '  config.yaml:3:9: http.port: expected an integer between 0 and 65535, got "abc"',
      '  config.yaml:4:3: http.prot: unknown key (expected one of: port, host, bodyLimit, timeout, concurrency, bodyTimeout, maxJsonDepth, pendingBodiesPerClient, trustProxy, emit, validateBody, traceHeader, cors)',
      '  config.yaml:6:13: http.cors.origin: expected "*" or a list of origins, got a list',
      '  config.yaml:9:18: queue.defaults.backoffType: expected one of: exponential, fixed, got "linear"',
      '  config.yaml:11:3: observability.otlp.endpoint: required: expected a URL such as http://localhost:4318/v1/traces',
      '  config.yaml:13:19: logging.level: expected one of: debug, info, warn, error, got "loud"',
      '  config.yaml:14:19: state.adapter: expected one of: sqlite, memory, redis, got "postgres"',
    ])
    expect((err.details as { problems: unknown[] }).problems[1]).toEqual({
      file: 'config.yaml',
      line: 3,
      column: 9,
      path: 'http.port',
      message: 'expected an integer between 0 and 65535, got "abc"',
    })
  })

  test('bad durations and sizes', async () => {
    const err = await rejection('http:\n  timeout: soon\n  bodyLimit: huge\n')
    expect(err.message.split('\n').slice(1)).toEqual([
      '  config.yaml:2:12: http.timeout: expected a duration such as "500ms", "30s", "5m", "1h" or a number of milliseconds, got "soon"',
      '  config.yaml:3:14: http.bodyLimit: expected a size such as "512kb", "1mb", "1gb" or a whole number of bytes, got "huge"',
    ])
  })

  test('a file that is not a mapping', async () => {
    expect((await rejection('- a\n- b\n')).message).toBe(
      'config.yaml is invalid:\n  config.yaml:1:1: (root): expected a mapping of settings',
    )
  })

  test('YAML syntax errors are E_CONFIG_READ with line:column', async () => {
    const err = await rejection('http:\n  port: 1\n  port: 2\n')
    expect(err.code).toBe('E_CONFIG_READ')
    expect(err.message).toBe('config.yaml is not valid YAML:\n  config.yaml:3:3: Map keys must be unique')
    expect((await rejection('http:\n  port: [1, 2\n')).message).toMatch(
      /^config\.yaml is not valid YAML:\n {2}config\.yaml:3:1: /,
    )
  })

  test('a "billion laughs" file and an alias without an anchor are E_CONFIG_READ at their key', async () => {
    const lol = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]']
    for (const [n, m] of ['ba', 'cb', 'dc', 'ed', 'fe', 'gf', 'hg', 'ih'])
      lol.push(`${n}: &${n} [${Array(9).fill(`*${m}`)}]`)
    const err = await rejection(`http:\n  port: 1\n${lol.join('\n')}\n`)
    expect({ code: err.code, message: err.message }).toEqual({
      code: 'E_CONFIG_READ',
      message:
        'config.yaml is not valid YAML:\n  config.yaml:6:1: d: aliases (*name) expand past the limit of 100, refused as a "billion laughs" document (write the values out, or nest fewer aliases)',
    })
    expect((await rejection('http:\n  port: *nope\n')).message).toBe(
      'config.yaml is not valid YAML:\n  config.yaml:1:1: http: Unresolved alias (the anchor must be set before the alias): nope',
    )
    // A few aliases are ordinary YAML and still read.
    const loaded = await load('http:\n  port: &p 4000\nstreams:\n  port: *p\n')
    expect([loaded.config.http.port, loaded.config.streams.port]).toEqual([4000, 4000])
  })

  test('CLI overrides apply after validation and beat the file', async () => {
    const yaml = 'host: 10.0.0.1\nhttp:\n  port: 1234\n  host: 10.0.0.2\nstreams:\n  host: 10.0.0.3\n'
    const only = await load(yaml, {}, { http: { port: 0 } })
    expect([only.config.http.port, only.config.http.host, only.config.streams.host]).toEqual([
      0,
      '10.0.0.2',
      '10.0.0.3',
    ])
    const host = await load(yaml, {}, { host: '127.0.0.1' })
    expect([host.config.host, host.config.http.host, host.config.streams.host]).toEqual([
      '127.0.0.1',
      '127.0.0.1',
      '127.0.0.1',
    ])
    const both = await load(yaml, {}, { host: '127.0.0.1', http: { host: '::1' }, dataRoot: '/srv/app' })
    expect([both.config.http.host, both.config.streams.host, both.config.sqlite.path]).toEqual([
      '::1',
      '127.0.0.1',
      '/srv/app/.motia/motia.db',
    ])
  })

  test('the result is deep-frozen: writes throw', async () => {
    const { config } = await load('http:\n  port: 1234\n')
    expect(() => {
      ;(config.http as { port: number }).port = 1
    }).toThrow(TypeError)
    expect(() => (config.http.cors.methods as string[]).push('TRACE')).toThrow(TypeError)
    expect(() => {
      ;(config.queue.defaults as { maxRetries: number }).maxRetries = 0
    }).toThrow(TypeError)
  })

  test('iii engine modules: REST and stream port/host map over, everything else is a warning', async () => {
    const { config, warnings } = await load(
      [
        'modules:',
        '  - class: modules::api::RestApiModule',
        '    config:',
        '      port: ${API_PORT:4000}',
        '      host: 127.0.0.1',
        '      default_timeout: 30000',
        '  - class: modules::stream::StreamModule',
        '    config: { port: 4001 }',
        '  - class: modules::cron::CronModule',
        '    config: {}',
      ].join('\n'),
    )
    expect([config.http.port, config.http.host, config.streams.port]).toEqual([4000, '127.0.0.1', 4001])
    expect(warnings).toEqual([
      'config.yaml:6:7: modules[0].config.default_timeout is ignored: only port and host carry over (set http.* instead)',
      'config.yaml:9:5: modules[2] (modules::cron::CronModule) is ignored: motia has it built in, see docs/config.md',
    ])
  })

  test('iii OtelModule: metrics_enabled, metrics_exporter and alerts map over with iii defaults; other keys warn', async () => {
    const { config, warnings } = await load(
      [
        'observability:',
        '  otlp: { endpoint: http://collector:4318/v1/traces }',
        'modules:',
        '  - class: modules::observability::OtelModule',
        '    config:',
        '      metrics_enabled: true',
        '      metrics_exporter: memory',
        '      logs_max_count: 10',
        '      alerts:',
        '        - name: errors',
        '          metric: motia.step.failures',
        '          threshold: 5',
        '          operator: greaterthanorequal',
        '          window_seconds: 120',
        '          action: { type: webhook, url: http://hooks.local/a }',
        '        - name: slow',
        '          metric: http.server.request.duration',
        '          threshold: 0.5',
        '          cooldown_seconds: 30',
        '          action: { type: function, path: ops::page }',
        '        - name: off',
        '          metric: motia.queue.depth',
        '          threshold: 1',
        '          enabled: false',
      ].join('\n'),
    )
    expect(config.observability.metrics.enabled).toBe(true)
    expect(config.observability.otlp?.metrics).toBe(false)
    expect(config.observability.alerts).toEqual([
      {
        name: 'errors',
        metric: 'motia.step.failures',
        labels: {},
        operator: '>=',
        threshold: 5,
        window: 120_000,
        cooldown: 60_000,
        every: 10_000,
        action: { type: 'webhook', url: 'http://hooks.local/a', headers: {}, timeout: 5000, retries: 3, backoff: 500 },
      },
      {
        name: 'slow',
        metric: 'http.server.request.duration',
        labels: {},
        operator: '>',
        threshold: 0.5,
        window: 60_000,
        cooldown: 30_000,
        every: 10_000,
        action: { type: 'log' },
      },
    ])
    expect(warnings).toEqual([
      'config.yaml:8:7: modules[0].config.logs_max_count is ignored: not an OtelModule setting this runtime maps (docs/config.md)',
      'config.yaml:20:11: modules[0].config.alerts[1].action: a function action has no counterpart here; the alert is logged (use { type: enqueue, topic } for a step to handle it)',
    ])
  })

  test('iii OtelModule: metrics_enabled false turns metrics off; metrics_exporter otlp without an OTLP endpoint warns; a bad alert names where it was written', async () => {
    const off = await load(
      [
        'modules:',
        '  - class: modules::observability::OtelModule',
        '    config: { metrics_enabled: false, metrics_exporter: otlp }',
      ].join('\n'),
    )
    expect(off.config.observability.metrics.enabled).toBe(false)
    expect(off.config.observability.otlp).toBeUndefined()
    expect(off.warnings).toEqual([
      'config.yaml:3:39: modules[0].config.metrics_exporter: otlp needs observability.otlp.endpoint (an OTLP/HTTP URL such as http://collector:4318/v1/traces); metrics stay on the Prometheus endpoint only',
    ])
    const bad = load(
      [
        'modules:',
        '  - class: modules::observability::OtelModule',
        '    config:',
        '      alerts:',
        '        - { name: x, metric: m, threshold: high }',
      ].join('\n'),
    )
    await expect(bad).rejects.toThrow('modules[0].config.alerts')
  })

  test('iii QueueModule with RabbitMQAdapter: the queue runs on RabbitMQ with amqp_url, max_attempts, prefetch_count, queue_mode', async () => {
    const { config, warnings } = await load(
      [
        'queue:',
        '  workers: 2',
        'modules:',
        '  - class: modules::queue::QueueModule',
        '    config:',
        '      adapter:',
        '        class: modules::queue::RabbitMQAdapter',
        '        config:',
        '          amqp_url: ${RABBITMQ_URL:amqp://app:pw@mq:5672/vh}',
        '          max_attempts: 5',
        '          prefetch_count: 20',
        '          queue_mode: fifo',
        '          exchange: x',
      ].join('\n'),
    )
    expect([config.queue.adapter, config.queue.workers, config.rabbitmq.url]).toEqual([
      'rabbitmq',
      2,
      'amqp://app:pw@mq:5672/vh',
    ])
    expect(config.queue.defaults).toMatchObject({ maxRetries: 4, concurrency: 20, type: 'fifo' })
    expect(warnings).toEqual([
      'config.yaml:13:11: modules[0].config.adapter.config.exchange is ignored: not a RabbitMQAdapter setting this runtime maps (docs/config.md)',
    ])
    const err = await rejection(
      'modules:\n  - class: modules::queue::QueueModule\n    config:\n      adapter:\n        class: modules::queue::RabbitMQAdapter\n        config: { amqp_url: "http://mq" }\n',
    )
    expect(err.message).toBe(
      'config.yaml is invalid:\n  config.yaml:6:29: modules[0].config.adapter.config.amqp_url: expected an amqp:// or amqps:// URL, got "http://mq"',
    )
  })

  test('iii OtelModule: sampling_ratio and sampling become observability.sampling; other keys warn', async () => {
    const { config, warnings } = await load(
      [
        'modules:',
        '  - class: modules::observability::OtelModule',
        '    config:',
        '      exporter: memory',
        '      sampling_ratio: 0.5',
        '      sampling:',
        '        default: 0.2',
        '        parent_based: false',
        '        rate_limit: { max_traces_per_second: 50 }',
        '        rules:',
        '          - { operation: "POST /orders", rate: 1 }',
        '          - { operation: "process *", service: shop, rate: 0 }',
      ].join('\n'),
    )
    expect(config.observability.sampling).toEqual({
      ratio: 0.2,
      parentBased: false,
      maxTracesPerSecond: 50,
      keepErrors: true,
      rules: [
        { name: 'POST /orders', ratio: 1 },
        { name: 'process *', ratio: 0 },
      ],
    })
    expect(warnings).toEqual([
      'config.yaml:4:7: modules[0].config.exporter is ignored: not an OtelModule setting this runtime maps (docs/config.md)',
      'config.yaml:12:39: sampling.rules[1].service is ignored: a motia app is one service',
    ])
    const ratioOnly = await load(
      'modules:\n  - class: modules::observability::OtelModule\n    config: { sampling_ratio: 0.1 }\n',
    )
    expect(ratioOnly.config.observability.sampling).toMatchObject({ ratio: 0.1, rules: [], parentBased: true })
    // Without sampling keys the module is ignored as before; without it, nothing is sampled.
    const none = await load('modules:\n  - class: modules::observability::OtelModule\n    config: {}\n')
    expect(none.config.observability.sampling).toBeUndefined()
  })

  test('iii OtelModule: a bad rate is reported where it was written; observability.sampling wins', async () => {
    const err = await rejection(
      'modules:\n  - class: modules::observability::OtelModule\n    config:\n      sampling:\n        rules:\n          - { operation: x, rate: 2 }\n',
    )
    expect(err.message).toBe(
      'config.yaml is invalid:\n  config.yaml:6:35: modules[0].config.sampling.rules[0].rate: expected a number between 0 and 1, got 2',
    )
    const { config, warnings } = await load(
      'observability:\n  sampling: { ratio: 0.3 }\nmodules:\n  - class: modules::observability::OtelModule\n    config: { sampling_ratio: 0.1 }\n',
    )
    expect(config.observability.sampling?.ratio).toBe(0.3)
    expect(warnings).toEqual([
      'config.yaml:5:15: modules[0].config.sampling_ratio is ignored: observability.sampling is set',
    ])
  })

  test('config.yaml beats config.yml; motia keys beat iii modules; each with a warning', async () => {
    const dir = project({
      'config.yml': 'http: { port: 1 }\n',
      'config.yaml':
        'http:\n  port: 5000\nmodules:\n  - class: modules::api::RestApiModule\n    config: { port: 4000, host: 127.0.0.1 }\n',
    })
    const { config, file, warnings } = await loadConfig({ dir, env: {}, cpus: 2 })
    expect([file, config.http.port, config.http.host]).toEqual([join(dir, 'config.yaml'), 5000, '127.0.0.1'])
    expect(warnings).toEqual([
      'config.yml is ignored: config.yaml is read instead',
      'config.yaml:5:15: modules[0].config.port is ignored: http.port is set',
    ])
  })

  test('iii modules: a bad port is reported where it was written', async () => {
    const err = await rejection('modules:\n  - class: modules::api::RestApiModule\n    config:\n      port: high\n')
    expect(err.message).toBe(
      'config.yaml is invalid:\n  config.yaml:4:13: modules[0].config.port: expected an integer between 0 and 65535, got "high"',
    )
  })

  test("iii's top-level port is the iii worker port (on); QueueModule queue_configs are its named queues", async () => {
    const { config, warnings } = await load(
      [
        'port: 49199',
        'modules:',
        '  - class: modules::queue::QueueModule',
        '    config:',
        '      queue_configs:',
        '        payment: { max_retries: 5, concurrency: 2, type: fifo, message_group_field: transaction_id }',
      ].join('\n'),
    )
    expect(config.iii).toMatchObject({ enabled: true, port: 49199, host: '127.0.0.1' })
    expect(config.iii.queues).toEqual({
      payment: { max_retries: 5, concurrency: 2, type: 'fifo', message_group_field: 'transaction_id' },
    })
    expect(warnings).toEqual([])
    // iii's Bridge adapters: state / streams served by another engine.
    const bridged = await load(
      [
        'port: 49197',
        'modules:',
        '  - class: modules::stream::StreamModule',
        '    config: { port: 3114, adapter: { class: modules::stream::adapters::Bridge, config: { bridge_url: "ws://localhost:49198" } } }',
        '  - class: modules::state::StateModule',
        '    config: { adapter: { class: modules::state::adapters::Bridge, config: { bridge_url: "ws://localhost:49198" } } }',
      ].join('\n'),
    )
    expect(bridged.config.iii.bridge).toEqual({ state: 'ws://localhost:49198', streams: 'ws://localhost:49198' })
    expect(bridged.config.streams.port).toBe(3114)
    expect(bridged.warnings).toEqual([])
    // Without a port the worker port stays off; a bad one is reported where it was written.
    expect((await load('http:\n  port: 3000\n')).config.iii.enabled).toBe(false)
    const err = await rejection('port: x\nmodules: []\n')
    expect(err.message).toBe(
      'config.yaml is invalid:\n  config.yaml:1:7: port: expected an integer between 0 and 65535, got "x"',
    )
  })
})
