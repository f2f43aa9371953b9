import { queue } from 'motia'

/** @type {const} @satisfies {import('motia').StepConfig} */
export const config = {
  name: 'NotifyCustomer',
  description: 'Tells the customer what happened to the order (JavaScript)',
  flows: ['orders'],
  triggers: [queue('order.scored')],
}

/** @type {import('motia').Handlers<typeof config>} */
export const handler = async (order, { state, logger, traceId }) => {
  const message =
    order.status === 'review'
      ? `Order ${order.id} (${order.total}) is being reviewed; we will write again soon.`
      : `Order ${order.id} (${order.total}) is confirmed.`
  // A real app would send an email here; the notification is kept in state.
  await state.set('notifications', order.id, { to: order.customer, message, traceId })
  logger.info('customer notified', { id: order.id, to: order.customer })
}
