import { http } from 'motia'

/** @type {const} @satisfies {import('motia').StepConfig} */
export const config = {
  name: 'GetOrder',
  flows: ['orders'],
  triggers: [http('GET', '/orders/:id')],
}

/** @type {import('motia').Handlers<typeof config>} */
export const handler = async (req, { state }) => {
  const order = await state.get('orders', req.pathParams.id)
  return order ? { status: 200, body: order } : { status: 404, body: { error: 'no such order' } }
}
