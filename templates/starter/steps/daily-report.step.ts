import { cron, type Handlers } from 'motia'

export const config = {
  name: 'DailyReport',
  description: 'Logs how many todos are still open, every day at 09:00 UTC',
  flows: ['todos'],
  triggers: [cron('0 9 * * *')],
} as const

export const handler: Handlers<typeof config> = async (_input, { state, logger }) => {
  const todos = await state.getGroup<{ done: boolean }>('todos')
  logger.info('daily report', { open: todos.filter((t) => !t.done).length, total: todos.length })
}
