import { type Handlers, http } from 'motia'

export const config = {
  name: 'ListTodos',
  flows: ['board'],
  triggers: [http('GET', '/todos')],
} as const

export const handler: Handlers<typeof config> = async (_req, { streams }) => ({
  status: 200,
  body: await streams.todos!.getGroup('board'),
})
