import { type Handlers, http } from 'motia'

export const config = {
  name: 'LivePage',
  description: 'A page that shows todos as they are created and completed, over the stream WebSocket',
  flows: ['todos'],
  triggers: [http('GET', '/live')],
} as const

export const handler: Handlers<typeof config> = async () => ({
  status: 200,
  headers: { 'content-type': 'text/html; charset=utf-8' },
  body: PAGE,
})

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>motia · live todos</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; color: #1d2430 }
  h1 { font-size: 1.4rem } form { display: flex; gap: .5rem; margin: 1rem 0 }
  input { flex: 1; padding: .5rem; border: 1px solid #c8cdd6; border-radius: 6px }
  button { padding: .5rem 1rem; border: 0; border-radius: 6px; background: #3553ff; color: white; cursor: pointer }
  li { display: flex; justify-content: space-between; padding: .4rem 0; border-bottom: 1px solid #eef0f3 }
  li.done span { text-decoration: line-through; color: #8a93a3 } #status { color: #8a93a3; font-size: .85rem }
</style></head>
<body>
<h1>Todos, live</h1>
<p id="status">connecting…</p>
<form id="add"><input id="text" placeholder="What needs doing?" required><button>Add</button></form>
<ul id="list"></ul>
<script>
  const items = new Map()
  const list = document.getElementById('list')
  const render = () => {
    list.innerHTML = ''
    for (const t of items.values()) {
      const li = document.createElement('li')
      li.className = t.done ? 'done' : ''
      li.innerHTML = '<span></span>'
      li.firstChild.textContent = t.text
      if (!t.done) {
        const b = document.createElement('button')
        b.textContent = 'Done'
        b.onclick = () => fetch('/todos/' + t.id + '/complete', { method: 'POST' })
        li.append(b)
      }
      list.append(li)
    }
  }
  // The stream server also answers on the API port, so the page needs no other address.
  const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host)
  ws.onopen = () => {
    document.getElementById('status').textContent = 'live'
    ws.send(JSON.stringify({ type: 'join', data: { streamName: 'todoFeed', groupId: 'all', subscriptionId: 'page' } }))
  }
  ws.onclose = () => { document.getElementById('status').textContent = 'disconnected' }
  ws.onmessage = (e) => {
    const { event } = JSON.parse(e.data)
    if (event.type === 'sync') for (const t of event.data) items.set(t.id, t)
    if (event.type === 'create' || event.type === 'update') items.set(event.data.id, event.data)
    if (event.type === 'delete') items.delete(event.data.id)
    render()
  }
  document.getElementById('add').onsubmit = async (e) => {
    e.preventDefault()
    const text = document.getElementById('text')
    await fetch('/todos', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: text.value }) })
    text.value = ''
  }
</script>
</body></html>`
