import { type Handlers, http } from 'motia'
import { BOARD_PAGE } from './board-page.html'

export const config = {
  name: 'BoardPage',
  description: 'The live board: joins the todos stream over WebSocket',
  flows: ['board'],
  triggers: [http('GET', '/')],
} as const

export const handler: Handlers<typeof config> = async () => ({
  status: 200,
  headers: { 'content-type': 'text/html; charset=utf-8' },
  body: BOARD_PAGE,
})
