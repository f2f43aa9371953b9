import { afterEach, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MotiaError } from '../errors'
import { parseBytes, parseDuration } from './duration'
import { loadConfig } from './load-config'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})
function project(yaml?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'motia-cfg-'))
  dirs.push(dir)
  if (yaml !== undefined) writeFileSync(join(dir, 'config.yaml'), yaml)
  return dir
}
const load = (dir: string, env: Record<string, string> = {}, overrides = {}) =>
  loadConfig({ dir, env, cpus: 4, overrides })
async function problems(yaml: string, env: Record<string, string> = {}): Promise<string> {
  try {
    await load(project(yaml), env)
  } catch (err) {
    expect(err).toBeInstanceOf(MotiaError)
    return (err as Error).message
  }
  throw new Error('expected the config to be rejected')
}

describe('config.yaml', () => {
  test('no file: defaults for one machine', async () => {
    const dir = project()
    const { config, file } = await load(dir)
    expect(file).toBeUndefined()
    expect(config.http).toMatchObject({ port: 3111, bodyLimit: 1024 * 1024, timeout: 30_000, concurrency: 1024 })
    expect(config.streams.port).toBe(3112)
    expect(config.console).toMatchObject({ port: 3113, host: '127.0.0.1' })
    expect(config.state.adapter).toBe('sqlite')
    expect(config.queue.workers).toBe(3)
    expect(config.queue.defaults).toEqual({
      type: 'standard',
      maxRetries: 3,
      backoffType: 'exponential',
      backoffDelayMs: 1000,
      concurrency: 10,
      visibilityTimeout: 30,
      delaySeconds: 0,
    })
    expect(config.sqlite.path).toBe(join(dir, '.motia', 'motia.db'))
  })

  test('a full file, with durations and sizes', async () => {
    const { config } = await load(
      project(`
host: 127.0.0.1
http: { port: 8080, bodyLimit: 64kb, timeout: 5s, cors: { origin: [https://a.test] } }
queue: { adapter: memory, workers: 3, handlerTimeout: 2m, defaults: { maxRetries: 1, type: fifo } }
logging: { level: debug, format: json }
`),
    )
    expect(config.host).toBe('127.0.0.1')
    expect(config.http).toMatchObject({ port: 8080, bodyLimit: 65536, timeout: 5000 })
    expect(config.http.cors.origin).toEqual(['https://a.test'])
    expect(config.queue).toMatchObject({ adapter: 'memory', workers: 3, handlerTimeout: 120_000 })
    expect(config.queue.defaults).toMatchObject({ maxRetries: 1, type: 'fifo', concurrency: 10 })
  })

  test('${VAR} and ${VAR:default}, with numbers coerced', async () => {
    const { config } = await load(
      project('http:\n  port: ${PORT:3111}\n  host: ${HOST}\nredis:\n  url: redis://${RH:localhost}:6379\n'),
      {
        PORT: '9000',
        HOST: '10.0.0.1',
      },
    )
    expect(config.http.port).toBe(9000)
    expect(config.http.host).toBe('10.0.0.1')
    expect(config.redis.url).toBe('redis://localhost:6379')
  })

  test('a missing variable without default is named with its location', async () => {
    expect(await problems('redis:\n  url: ${REDIS_URL}\n')).toBe(
      'config.yaml is invalid:\n  config.yaml:2:8: redis.url: environment variable REDIS_URL is not set and has no default (write ${REDIS_URL:default})',
    )
  })

  test('every problem is listed with line:column, unknown keys name the allowed ones', async () => {
    const msg = await problems('http:\n  port: abc\n  prot: 1\nqueue:\n  defaults:\n    backoffType: linear\nnope: 1\n')
    expect(msg.split('\n')).toEqual([
      'config.yaml is invalid:',
      '  config.yaml:2:9: http.port: Invalid input: expected number, received string',
      '  config.yaml:3:9: http.prot: unknown key (expected one of: port, host, bodyLimit, timeout, concurrency, validateBody, traceHeader, cors)',
      '  config.yaml:6:18: queue.defaults.backoffType: Invalid option: expected one of "fixed"|"exponential"',
      '  config.yaml:7:7: nope: unknown key (expected one of: host, http, streams, state, queue, cron, console, observability, sqlite, redis, logging)',
    ])
  })

  test('bad durations and sizes', async () => {
    expect(await problems('http:\n  timeout: soon\n')).toContain('http.timeout: expected a duration such as "500ms"')
    expect(await problems('http:\n  bodyLimit: huge\n')).toContain('http.bodyLimit: expected a size such as "64kb"')
  })

  test('YAML syntax errors carry a location', async () => {
    const dir = project('http:\n  port: [1, 2\n')
    const err = await load(dir).catch((e) => e)
    expect(err.code).toBe('E_CONFIG_READ')
    expect(err.message).toMatch(/config\.yaml:\d+:\d+/)
  })

  test('CLI overrides apply after validation; the result is frozen', async () => {
    const { config } = await load(project('http:\n  port: 1234\n'), {}, { host: '127.0.0.1', http: { port: 0 } })
    expect(config.http.port).toBe(0)
    expect(config.host).toBe('127.0.0.1')
    expect(() => {
      ;(config.http as { port: number }).port = 1
    }).toThrow()
  })

  test('iii engine modules: REST and stream ports map over, the rest is ignored with a warning', async () => {
    const { config, warnings } = await load(
      project(`
modules:
  - class: modules::api::RestApiModule
    config: { port: 4000, host: 127.0.0.1 }
  - class: modules::stream::StreamModule
    config: { port: 4001 }
  - class: modules::observability::OtelModule
    config: {}
`),
    )
    expect(config.http).toMatchObject({ port: 4000, host: '127.0.0.1' })
    expect(config.streams.port).toBe(4001)
    expect(warnings).toEqual([
      expect.stringMatching(/^config\.yaml:7:\d+: modules\[2\] \(modules::observability::OtelModule\) is ignored/),
    ])
  })
})

describe('durations and sizes', () => {
  test('parse', () => {
    expect([
      parseDuration('250ms'),
      parseDuration('5s'),
      parseDuration('2m'),
      parseDuration('1h'),
      parseDuration(42),
    ]).toEqual([250, 5000, 120_000, 3_600_000, 42])
    expect([parseBytes('512kb'), parseBytes('1mb'), parseBytes('1gb'), parseBytes(10)]).toEqual([
      524288, 1048576, 1073741824, 10,
    ])
    expect(() => parseDuration('-1s')).toThrow()
    expect(() => parseBytes('1.5 parsecs')).toThrow()
  })
})
