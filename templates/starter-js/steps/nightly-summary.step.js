import { cron } from 'motia'

/** @type {const} @satisfies {import('motia').StepConfig} */
export const config = {
  name: 'NightlySummary',
  description: 'Logs how many orders were fulfilled, every night at 02:00 UTC',
  flows: ['orders'],
  triggers: [cron('0 2 * * *')],
}

/** @type {import('motia').Handlers<typeof config>} */
export const handler = async (_input, { state, logger }) => {
  const orders = await state.getGroup('orders')
  logger.info('nightly summary', { fulfilled: orders.length })
}
