import { availableParallelism } from 'node:os'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import type { QueueAdapter } from '../modules/queue/adapter'
import { SqliteQueueAdapter } from '../modules/queue/adapters/sqlite'
import { loadConfig } from '../runtime/config/load-config'
import { MotiaError } from '../runtime/errors'

/** The queue config.yaml names: the SQLite file, or the Redis or RabbitMQ every instance shares. */
async function openQueue(dir: string): Promise<QueueAdapter> {
  const { config } = await loadConfig({ dir: resolve(dir), env: process.env, cpus: availableParallelism() })
  if (config.queue.adapter === 'redis')
    return (await import('../modules/queue/adapters/bullmq-inspect')).openRedisQueue(config.redis)
  if (config.queue.adapter === 'rabbitmq')
    return (await import('../modules/queue/adapters/rabbitmq-inspect')).openRabbitQueue(config.rabbitmq)
  if (config.queue.adapter !== 'sqlite') {
    throw new MotiaError(
      'E_ADAPTER_UNKNOWN',
      `queue.adapter is "${config.queue.adapter}": a memory queue lives inside the server and cannot be inspected from outside`,
    )
  }
  return SqliteQueueAdapter.open(config.sqlite.path)
}

function table(rows: Record<string, unknown>[], columns: string[]): string {
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? '').length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd()
  return [line(columns), ...rows.map((r) => line(columns.map((c) => String(r[c] ?? ''))))].join('\n')
}

/** `motia queue`: what is queued, in flight and dead, and dead-letter handling. Works while the server runs. */
export function registerQueueCommands(program: Command): void {
  const q = program
    .command('queue')
    .description('show queue depth per topic and subscription; list, retry or drop dead letters')
    .option('-d, --dir <dir>', 'project directory', '.')
    .option('--json', 'print JSON')
    // `motia queue dlq --json`: options after a subcommand belong to it.
    .enablePositionalOptions()
    .addHelpText(
      'after',
      '\nExamples:\n  $ motia queue\n  $ motia queue dlq --topic order.created\n  $ motia queue retry --all --topic order.created\n  $ motia queue drop 42 43',
    )
    .action(async (opts: { dir: string; json?: boolean }) => {
      const a = await openQueue(opts.dir)
      const stats = await a.stats()
      await a.close()
      if (opts.json) return console.log(JSON.stringify(stats, null, 2))
      if (stats.length === 0) return console.log('no messages queued and no dead letters')
      // null: the backend cannot tell from outside the servers (RabbitMQ's in flight and delayed).
      const rows = stats.map((s) => ({ ...s, delayed: s.delayed ?? 'n/a', inFlight: s.inFlight ?? 'n/a' }))
      console.log(table(rows, ['topic', 'subscription', 'ready', 'delayed', 'inFlight', 'dead']))
    })

  q.command('dlq')
    .description('list dead letters (data, error, attempts, time)')
    .option('-d, --dir <dir>', 'project directory', '.')
    .option('-t, --topic <topic>', 'only this topic')
    .option('--json', 'print JSON')
    .action(async (opts: { dir: string; topic?: string; json?: boolean }) => {
      const a = await openQueue(opts.dir)
      const dead = await a.deadLetters(opts.topic ? { topic: opts.topic } : {})
      await a.close()
      if (opts.json) return console.log(JSON.stringify(dead, null, 2))
      if (dead.length === 0) return console.log('no dead letters')
      console.log(
        table(
          dead.map((d) => ({
            id: d.id,
            topic: d.topic,
            subscription: d.subscription,
            attempts: d.attempts,
            failedAt: new Date(d.failedAt).toISOString(),
            reason: d.error ? `${d.reason}: ${d.error.message}` : d.reason,
            data: JSON.stringify(d.data).slice(0, 60),
          })),
          ['id', 'topic', 'subscription', 'attempts', 'failedAt', 'reason', 'data'],
        ),
      )
    })

  for (const verb of ['retry', 'drop'] as const) {
    q.command(verb)
      .description(
        verb === 'retry' ? 'put dead letters back on their queue (fresh attempt count)' : 'delete dead letters',
      )
      .argument('[ids...]', 'dead-letter ids (see `motia queue dlq`)')
      .option('-a, --all', 'every dead letter (narrow with --topic)')
      .option('-t, --topic <topic>', 'only this topic')
      .option('-d, --dir <dir>', 'project directory', '.')
      .action(async (ids: string[], opts: { dir: string; all?: boolean; topic?: string }) => {
        if (!opts.all && ids.length === 0)
          throw new MotiaError('E_STEP_CONFIG_INVALID', `give dead-letter ids or --all`)
        const a = await openQueue(opts.dir)
        const filter = opts.topic ? { topic: opts.topic } : {}
        const n =
          verb === 'retry'
            ? await a.retryDeadLetters(opts.all ? 'all' : ids, filter)
            : await a.dropDeadLetters(opts.all ? 'all' : ids, filter)
        await a.close()
        console.log(`${verb === 'retry' ? 'retried' : 'dropped'} ${n} dead letter${n === 1 ? '' : 's'}`)
      })
  }
}
