import { type Handlers, http } from 'motia'
import { z } from 'zod'

const order = z.object({
  customer: z.string().email(),
  items: z.array(z.object({ sku: z.string(), quantity: z.number().int().positive(), price: z.number().min(0) })).min(1),
})

export const config = {
  name: 'PlaceOrder',
  description: 'Takes an order (TypeScript) and hands it to the Python scorer',
  flows: ['orders'],
  triggers: [http('POST', '/orders', { bodySchema: order, responseSchema: { 202: z.object({ id: z.string() }) } })],
  enqueues: ['order.placed'],
} as const

export const handler: Handlers<typeof config> = async (req, { enqueue, logger }) => {
  const id = crypto.randomUUID().slice(0, 8)
  await enqueue({ topic: 'order.placed', data: { id, ...req.body } })
  logger.info('order placed', { id })
  return { status: 202, body: { id } }
}
