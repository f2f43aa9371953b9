import { type Handlers, http } from 'motia'
import { z } from 'zod'

export const config = {
  name: 'AddTodo',
  flows: ['board'],
  triggers: [http('POST', '/todos', { bodySchema: z.object({ text: z.string().trim().min(1).max(200) }) })],
} as const

export const handler: Handlers<typeof config> = async (req, { streams, logger }) => {
  const id = crypto.randomUUID()
  // Written to the stream: every page on the board gets a `create` event.
  const todo = await streams.todos!.set('board', id, {
    text: req.body.text,
    done: false,
    createdAt: new Date().toISOString(),
  })
  logger.info('todo added', { id })
  return { status: 201, body: todo }
}
