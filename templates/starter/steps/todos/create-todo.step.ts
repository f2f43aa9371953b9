import { type Handlers, http } from 'motia'
import { z } from 'zod'

const todo = z.object({ text: z.string().min(1), priority: z.enum(['low', 'high']).default('low') })

export const config = {
  name: 'CreateTodo',
  description: 'Accepts a todo and hands it to the background for storage',
  flows: ['todos'],
  triggers: [http('POST', '/todos', { bodySchema: todo, responseSchema: { 202: z.object({ id: z.string() }) } })],
  enqueues: ['todo.created'],
} as const

export const handler: Handlers<typeof config> = async (req, { enqueue, logger }) => {
  const id = crypto.randomUUID()
  logger.info('todo received', { id })
  await enqueue({ topic: 'todo.created', data: { id, ...req.body } })
  return { status: 202, body: { id } }
}
