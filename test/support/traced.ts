import { afterAll, beforeAll } from 'bun:test'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ensureBinary } from './binary'
import { copyFixture } from './runtime'

/** The traced fixture with its console on, and the OTLP bodies its binary has sent so far. */
export interface TracedFixture {
  readonly path: string
  readonly received: any[]
}

/**
 * For one test file: an OTLP collector on a free port that keeps every body it is sent, and,
 * before the file's tests, the binary built and a copy of test/fixtures/traced whose config.yaml
 * turns the console on and exports to that collector every 50 ms, then `extraConfig` appended.
 * Both are stopped and removed after the file's tests.
 */
export function tracedFixture(extraConfig = ''): TracedFixture {
  let project: ReturnType<typeof copyFixture> | undefined
  const received: any[] = []
  const collector = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(req) {
      received.push(await req.json())
      return new Response('{}')
    },
  })
  beforeAll(async () => {
    await ensureBinary()
    project = copyFixture('traced')
    const config = join(project.path, 'config.yaml')
    writeFileSync(
      config,
      readFileSync(config, 'utf8').replace('console:\n  port: 0\n', 'console:\n  enabled: true\n  port: 0\n') +
        `  otlp:\n    endpoint: http://127.0.0.1:${collector.port}/v1/traces\n    interval: 50ms\n` +
        extraConfig,
    )
  }, 120_000)
  afterAll(() => {
    collector.stop(true)
    project?.dispose()
  })
  return {
    get path() {
      if (project === undefined) throw new Error('tracedFixture: the project is copied in beforeAll')
      return project.path
    },
    received,
  }
}
