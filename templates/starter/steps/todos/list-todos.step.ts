import { type Handlers, http } from 'motia'

export const config = {
  name: 'ListTodos',
  flows: ['todos'],
  triggers: [http('GET', '/todos'), http('GET', '/todos/:id')],
} as const

export const handler: Handlers<typeof config> = async (req, { state }) => {
  if (req.pathParams.id) {
    const todo = await state.get('todos', req.pathParams.id)
    return todo ? { status: 200, body: todo } : { status: 404, body: { error: 'no such todo' } }
  }
  return { status: 200, body: await state.getGroup('todos') }
}
