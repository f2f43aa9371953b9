import { afterAll, beforeAll, expect, test } from 'bun:test'
import { appendFileSync } from 'node:fs'
import { join } from 'node:path'
import { ensureBinary, runMotia, startMotia } from '../support/binary'
import { dropRabbitPrefix, freshRabbitPrefix, rabbitAnswers, TEST_RABBITMQ_URL } from '../support/rabbitmq'
import { dropPrefix, freshPrefix, redisAnswers, TEST_REDIS_URL } from '../support/redis'
import { copyFixture } from '../support/runtime'

let project: ReturnType<typeof copyFixture>
beforeAll(async () => {
  await ensureBinary()
  project = copyFixture('queue')
  // motia start serves POST /emit only when enabled, with a token (docs/http.md).
  appendFileSync(join(project.path, 'config.yaml'), 'http:\n  emit:\n    enabled: true\n    token: queue-cli-token\n')
}, 120_000)
afterAll(() => project?.dispose())

/** `outside`: what the CLI cannot know of this backend from outside the servers (null, shown "n/a"), else 0. */
async function queueCli(env: Record<string, string>, outside: 0 | null = 0): Promise<void> {
  const motia = await startMotia(['start', '--dir', project.path, '--port', '0', '--host', '127.0.0.1'], { env })
  try {
    const emit = (topic: string) =>
      fetch(`${motia.url}/emit`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer queue-cli-token' },
        body: JSON.stringify({ topic, data: { id: topic } }),
      })
    await emit('poison')
    await emit('always-fails')
    let dead: unknown[] = []
    for (let i = 0; i < 100 && dead.length < 2; i++) {
      await Bun.sleep(20)
      dead = JSON.parse((await runMotia(['queue', 'dlq', '--json', '--dir', project.path], { env })).stdout)
    }
    expect(dead).toHaveLength(2)
  } finally {
    await motia.stop()
  }
  const stats = JSON.parse((await runMotia(['queue', '--json', '--dir', project.path], { env })).stdout) as {
    topic: string
    dead: number
  }[]
  expect(stats.find((s) => s.topic === 'poison')).toMatchObject({
    dead: 1,
    ready: 0,
    inFlight: outside,
    delayed: outside,
  })
  const table = (await runMotia(['queue', '--dir', project.path], { env })).stdout
  expect(table).toMatch(/topic\s+subscription\s+ready\s+delayed\s+inFlight\s+dead/)
  const poison = table.split('\n').find((l) => l.startsWith('poison '))
  expect(poison).toMatch(outside === null ? /\s0\s+n\/a\s+n\/a\s+1$/ : /\s0\s+0\s+0\s+1$/)
  const dlq = (await runMotia(['queue', 'dlq', '--dir', project.path], { env })).stdout
  expect(dlq).toContain('failed with a non-retriable error: this message can never succeed')

  expect(
    (await runMotia(['queue', 'retry', '--all', '--topic', 'poison', '--dir', project.path], { env })).stdout.trim(),
  ).toBe('retried 1 dead letter')
  const after = JSON.parse((await runMotia(['queue', '--json', '--dir', project.path], { env })).stdout) as {
    topic: string
    ready: number
    dead: number
  }[]
  expect(after.find((s) => s.topic === 'poison')).toMatchObject({ dead: 0, ready: 1 })
  expect((await runMotia(['queue', 'drop', '--all', '--dir', project.path], { env })).stdout.trim()).toBe(
    'dropped 1 dead letter',
  )
  const none = await runMotia(['queue', 'drop', '--dir', project.path], { env })
  expect(none.code).toBe(1)
  expect(none.stderr).toContain('give dead-letter ids or --all')
}

test('motia queue: depth and dead letters, retry and drop from the CLI (sqlite)', async () => {
  await queueCli({ MOTIA_SQLITE: join(project.path, '.motia', 'cli.db') })
})

test('motia queue against the redis (BullMQ) adapter, while the server runs and after', async () => {
  if (!(await redisAnswers())) throw new Error(`no Redis answers at ${TEST_REDIS_URL}: CI starts one`)
  const prefix = freshPrefix('queue-cli')
  try {
    await queueCli({
      QUEUE_ADAPTER: 'redis',
      REDIS_PREFIX: prefix,
      MOTIA_SQLITE: join(project.path, '.motia', 'cli-redis.db'),
    })
  } finally {
    await dropPrefix(prefix)
  }
})

test('motia queue against the rabbitmq adapter, while the server runs and after', async () => {
  if (!(await rabbitAnswers())) throw new Error(`no RabbitMQ answers at ${TEST_RABBITMQ_URL}: CI starts one`)
  const prefix = freshRabbitPrefix('queue-cli')
  try {
    await queueCli(
      {
        QUEUE_ADAPTER: 'rabbitmq',
        RABBITMQ_PREFIX: prefix,
        MOTIA_SQLITE: join(project.path, '.motia', 'cli-rabbitmq.db'),
      },
      null,
    )
  } finally {
    await dropRabbitPrefix(prefix, { delays: [20] })
  }
})
