import { type Handlers, http } from 'motia'

export const config = {
  name: 'GetOrder',
  flows: ['orders'],
  triggers: [http('GET', '/orders/:id')],
} as const

export const handler: Handlers<typeof config> = async (req, { state }) => {
  const { id } = req.pathParams
  const order = id ? await state.get('orders', id) : null
  if (!id || !order) return { status: 404, body: { error: 'no such order' } }
  const notification = await state.get('notifications', id)
  return { status: 200, body: { order, notification } }
}
