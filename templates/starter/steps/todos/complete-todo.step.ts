import { type Handlers, http } from 'motia'

export const config = {
  name: 'CompleteTodo',
  flows: ['todos'],
  triggers: [http('POST', '/todos/:id/complete')],
} as const

export const handler: Handlers<typeof config> = async (req, { state, streams }) => {
  const id = req.pathParams.id! // the route has :id
  if (!(await state.get('todos', id))) return { status: 404, body: { error: 'no such todo' } }
  const { new_value } = await state.update('todos', id, [{ type: 'set', path: 'done', value: true }])
  await streams.todoFeed!.update('all', id, [{ type: 'set', path: 'done', value: true }])
  return { status: 200, body: new_value }
}
