import { afterAll, beforeAll, expect, test } from 'bun:test'
import { type AsyncMessage, type Channel, Connection } from 'rabbitmq-client'
import { freshRabbitPrefix, rabbitForTests, TEST_RABBITMQ_URL } from '../../../test/support/rabbitmq'
import { AckBatcher } from './rabbitmq-acks'

const up = await rabbitForTests('AckBatcher')
let conn: Connection
const queues: string[] = []

beforeAll(() => {
  if (up) conn = new Connection(TEST_RABBITMQ_URL)
})
afterAll(async () => {
  if (!up) return
  const ch = await conn.acquire()
  for (const queue of queues) await ch.queueDelete({ queue })
  await ch.close()
  await conn.close()
})

/** A durable queue holding `n` messages (bodies 1..n), and a consumer on it feeding `acks`. */
async function consume(n: number, acks: AckBatcher) {
  const queue = freshRabbitPrefix('acks')
  queues.push(queue)
  const setup = await conn.acquire()
  await setup.queueDeclare({ queue, durable: true })
  for (let i = 1; i <= n; i++) setup.basicPublish({ routingKey: queue }, i)
  await setup.close()
  const ch = await conn.acquire()
  const got: AsyncMessage[] = []
  let all!: () => void
  const arrived = new Promise<void>((r) => (all = r))
  await ch.basicQos({ prefetchCount: n })
  await ch.basicConsume({ queue }, (msg) => {
    acks.delivered(ch, msg.deliveryTag)
    got.push(msg)
    if (got.length === n) all()
  })
  await arrived
  return { queue, ch, got }
}

/** What a fresh consumer receives from `queue` once the first consumer's channel closed. */
async function leftIn(queue: string, ch: Channel): Promise<number[]> {
  await ch.close()
  const check = await conn.acquire()
  const bodies: number[] = []
  for (let m = await check.basicGet({ queue }); m; m = await check.basicGet({ queue })) bodies.push(m.body as number)
  await check.close()
  return bodies.sort((a, b) => a - b)
}

const turn = () => new Promise((r) => setImmediate(r))

test.skipIf(!up)('one turn of acks, all in delivery order, settles every message', async () => {
  const acks = new AckBatcher()
  const { queue, ch, got } = await consume(50, acks)
  for (const m of got) acks.ack(ch, m.deliveryTag)
  await turn()
  expect(await leftIn(queue, ch)).toEqual([])
})

test.skipIf(!up)('a multiple ack never covers a delivery still open before it', async () => {
  const acks = new AckBatcher()
  const { queue, ch, got } = await consume(6, acks)
  // 1 and 4 still running; 2, 3, 5, 6 done in this turn, out of order.
  for (const i of [5, 2, 6, 3]) acks.ack(ch, got[i - 1]!.deliveryTag)
  await turn()
  // The consumer dies: what it had not acked comes back, and only that.
  expect(await leftIn(queue, ch)).toEqual([1, 4])
})

test.skipIf(!up)('later turns: what was open before is acked once it is done', async () => {
  const acks = new AckBatcher()
  const { queue, ch, got } = await consume(5, acks)
  acks.ack(ch, got[1]!.deliveryTag)
  acks.ack(ch, got[2]!.deliveryTag)
  await turn()
  acks.ack(ch, got[0]!.deliveryTag)
  acks.ack(ch, got[4]!.deliveryTag)
  await turn()
  expect(await leftIn(queue, ch)).toEqual([4])
})

test.skipIf(!up)('flush(ch) sends the due acks before the turn ends', async () => {
  const acks = new AckBatcher()
  const { queue, ch, got } = await consume(3, acks)
  for (const m of got) acks.ack(ch, m.deliveryTag)
  acks.flush(ch)
  expect(await leftIn(queue, ch)).toEqual([])
})
