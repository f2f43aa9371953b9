import { type Handlers, queue } from 'motia'
import { z } from 'zod'

export const config = {
  name: 'StoreTodo',
  description: 'Writes a new todo to state',
  flows: ['todos'],
  triggers: [queue('todo.created', { input: z.object({ id: z.string(), text: z.string(), priority: z.string() }) })],
} as const

export const handler: Handlers<typeof config> = async (todo, { state, logger }) => {
  await state.set('todos', todo.id, { ...todo, done: false, createdAt: new Date().toISOString() })
  logger.info('todo stored', { id: todo.id })
}
