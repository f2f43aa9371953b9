import { queue } from 'motia'
import { z } from 'zod'

/** @type {const} @satisfies {import('motia').StepConfig} */
export const config = {
  name: 'FulfilOrder',
  description: 'Stores the order and publishes its status',
  flows: ['orders'],
  triggers: [queue('order.placed', { input: z.object({ id: z.string(), item: z.string(), quantity: z.number() }) })],
}

/** @type {import('motia').Handlers<typeof config>} */
export const handler = async (order, { state, streams, logger }) => {
  await state.set('orders', order.id, { ...order, status: 'fulfilled', fulfilledAt: new Date().toISOString() })
  // Clients subscribed to the order's status see it change.
  await streams.orderStatus.set('orders', order.id, { status: 'fulfilled' })
  logger.info('order fulfilled', { id: order.id })
}
