import { describe, expect, test } from 'bun:test'
import { hostname } from 'node:os'
import { tempProjects } from '../../test/support/runtime'
import { loadConfig } from './load-config'

const project = tempProjects('motia-fleet-config-')
const load = (yaml: string, env: Record<string, string> = {}) =>
  loadConfig({ dir: project({ 'config.yaml': yaml }), env, cpus: 2 })

describe('fleet keys: health, shutdownTimeout, instanceId', () => {
  test('defaults: probes under /__motia, 10 s drain, <hostname>-<pid>', async () => {
    const { config } = await load('')
    expect([config.health, config.shutdownTimeout, config.instanceId]).toEqual([
      { enabled: true, live: '/__motia/health', ready: '/__motia/ready' },
      10_000,
      `${hostname()}-${process.pid}`,
    ])
  })

  test('MOTIA_INSTANCE_ID names the instance unless the file does', async () => {
    expect((await load('', { MOTIA_INSTANCE_ID: 'api-2' })).config.instanceId).toBe('api-2')
    expect((await load('instanceId: web-${N}\n', { N: '3', MOTIA_INSTANCE_ID: 'x' })).config.instanceId).toBe('web-3')
  })

  test('probe paths are fixed paths: no :params, no wildcards, a leading slash', async () => {
    const err = await load('health: { live: "health", ready: "/ready/:id" }\nshutdownTimeout: 0s\n').then(
      () => undefined,
      (e: Error) => e,
    )
    expect(err?.message.split('\n').slice(1)).toEqual([
      '  config.yaml:1:17: health.live: expected a path starting with "/" without :params or wildcards, got "health"',
      '  config.yaml:1:34: health.ready: expected a path starting with "/" without :params or wildcards, got "/ready/:id"',
      '  config.yaml:2:18: shutdownTimeout: expected a duration above 0, got "0s"',
    ])
  })
})
