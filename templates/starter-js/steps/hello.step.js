/** @type {const} @satisfies {import('motia').StepConfig} */
export const config = {
  name: 'Hello',
  triggers: [{ type: 'http', method: 'GET', path: '/hello' }],
}

/** @type {import('motia').Handlers<typeof config>} */
export const handler = async () => ({ status: 200, body: { message: 'Hello from motia' } })
