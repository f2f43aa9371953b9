import { type Handlers, http, type UpdateOp } from 'motia'
import { z } from 'zod'

export const config = {
  name: 'UpdateTodo',
  flows: ['board'],
  triggers: [
    http('PATCH', '/todos/:id', {
      bodySchema: z.object({ text: z.string().trim().min(1).max(200).optional(), done: z.boolean().optional() }),
    }),
  ],
  enqueues: ['todo.completed'],
} as const

export const handler: Handlers<typeof config> = async (req, { streams, enqueue }) => {
  const id = req.pathParams.id! // the route has :id
  const before = await streams.todos!.get('board', id)
  if (!before) return { status: 404, body: { error: 'no such todo' } }
  const ops: UpdateOp[] = []
  if (req.body.text !== undefined) ops.push({ type: 'set', path: 'text', value: req.body.text })
  if (req.body.done !== undefined) ops.push({ type: 'set', path: 'done', value: req.body.done })
  const todo = await streams.todos!.update('board', id, ops)
  if (todo.done && !before.done) await enqueue({ topic: 'todo.completed', data: { id, text: todo.text as string } })
  return { status: 200, body: todo }
}
