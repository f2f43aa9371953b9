import { afterAll, expect, test } from 'bun:test'
import { Connection } from 'rabbitmq-client'
import { freshRabbitPrefix, rabbitForTests, TEST_RABBITMQ_URL } from '../../../test/support/rabbitmq'
import { SocketReads } from './rabbitmq-connection'

const up = await rabbitForTests('SocketReads')
const conn = up ? new Connection(TEST_RABBITMQ_URL) : undefined

afterAll(() => conn?.close())

test.skipIf(!up)(
  'SocketReads runs once after the consumer callbacks of each socket read, the last included',
  async () => {
    const c = conn!
    await c.onConnect()
    const queue = freshRabbitPrefix('reads')
    const setup = await c.acquire()
    try {
      await setup.queueDeclare({ queue, exclusive: true })
      const n = 200
      for (let i = 0; i < n; i++) setup.basicPublish({ routingKey: queue }, i)
      // How many deliveries had reached the callback at each run.
      let delivered = 0
      const runs: number[] = []
      const reads = new SocketReads(c, () => runs.push(delivered))
      expect(reads.watch()).toBe(true)
      let all!: () => void
      const done = new Promise<void>((r) => (all = r))
      await setup.basicQos({ prefetchCount: n })
      await setup.basicConsume({ queue, noAck: true }, () => {
        if (++delivered === n) all()
      })
      await done
      await new Promise((r) => setImmediate(r))
      expect(runs.at(-1)).toBe(n)
      // Reads under a burst carry many deliveries: far fewer runs than deliveries.
      const batches = runs.filter((seen, i) => seen > (runs[i - 1] ?? 0))
      expect(batches.length).toBeLessThan(n / 4)
    } finally {
      await setup.close()
    }
  },
)
