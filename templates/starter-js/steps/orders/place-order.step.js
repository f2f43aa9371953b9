import { http } from 'motia'
import { z } from 'zod'

const order = z.object({ item: z.string().min(1), quantity: z.number().int().positive().default(1) })

/** @type {const} @satisfies {import('motia').StepConfig} */
export const config = {
  name: 'PlaceOrder',
  description: 'Accepts an order and hands it to the background for fulfilment',
  flows: ['orders'],
  triggers: [http('POST', '/orders', { bodySchema: order })],
  enqueues: ['order.placed'],
}

/** @type {import('motia').Handlers<typeof config>} */
export const handler = async (req, { enqueue, logger }) => {
  const id = crypto.randomUUID()
  logger.info('order placed', { id, item: req.body.item })
  await enqueue({ topic: 'order.placed', data: { id, ...req.body } })
  return { status: 202, body: { id } }
}
