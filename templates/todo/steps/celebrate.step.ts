import { type Handlers, queue } from 'motia'
import { z } from 'zod'

export const config = {
  name: 'Celebrate',
  description: 'Counts completed todos and tells every open board',
  flows: ['board'],
  triggers: [queue('todo.completed', { input: z.object({ id: z.string(), text: z.string() }) })],
} as const

export const handler: Handlers<typeof config> = async (todo, { state, streams, logger }) => {
  const { new_value } = await state.update<{ completed: number }>('stats', 'board', [
    { type: 'increment', path: 'completed', by: 1 },
  ])
  const completed = new_value?.completed ?? 1
  // An ephemeral event: not stored, delivered to the pages subscribed to the group right now.
  await streams.todos!.send({ groupId: 'board' }, { type: 'celebrate', data: { text: todo.text, completed } })
  logger.info('todo completed', { id: todo.id, completed })
}
