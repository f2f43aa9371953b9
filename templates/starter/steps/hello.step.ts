import type { Handlers } from 'motia'

export const config = {
  name: 'Hello',
  triggers: [{ type: 'http', method: 'GET', path: '/hello' }],
} as const

export const handler: Handlers<typeof config> = async () => ({ status: 200, body: { message: 'Hello from motia' } })
