import { type Handlers, queue } from 'motia'
import { z } from 'zod'

export const config = {
  name: 'StoreTodo',
  description: 'Writes a new todo to state and to the live feed',
  flows: ['todos'],
  triggers: [queue('todo.created', { input: z.object({ id: z.string(), text: z.string(), priority: z.string() }) })],
} as const

export const handler: Handlers<typeof config> = async (todo, { state, streams, logger }) => {
  await state.set('todos', todo.id, { ...todo, done: false, createdAt: new Date().toISOString() })
  // Every page open on /live sees the new todo appear.
  await streams.todoFeed!.set('all', todo.id, { text: todo.text, priority: todo.priority, done: false })
  logger.info('todo stored', { id: todo.id })
}
