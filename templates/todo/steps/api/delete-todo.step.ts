import { type Handlers, http } from 'motia'

export const config = {
  name: 'DeleteTodo',
  flows: ['board'],
  triggers: [http('DELETE', '/todos/:id')],
} as const

export const handler: Handlers<typeof config> = async (req, { streams }) => {
  const deleted = await streams.todos!.delete('board', req.pathParams.id!)
  return deleted ? { status: 200, body: deleted } : { status: 404, body: { error: 'no such todo' } }
}
