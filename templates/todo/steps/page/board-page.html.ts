/**
 * The board page. It speaks the stream wire protocol directly: one WebSocket (the stream
 * server also answers on the API port), a `join` of the `board` group, then `sync`, `create`,
 * `update`, `delete` and custom `event` messages, applied in timestamp order.
 */
export const BOARD_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>todo board</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem; color: #1d2430 }
  h1 { font-size: 1.4rem; margin-bottom: .2rem } #status { color: #8a93a3; font-size: .85rem; margin-top: 0 }
  form { display: flex; gap: .5rem; margin: 1rem 0 } input[type=text] { flex: 1; padding: .5rem; border: 1px solid #c8cdd6; border-radius: 6px }
  button { padding: .4rem .8rem; border: 0; border-radius: 6px; background: #3553ff; color: white; cursor: pointer }
  button.ghost { background: none; color: #8a93a3 } ul { list-style: none; padding: 0 }
  li { display: flex; gap: .6rem; align-items: center; padding: .4rem 0; border-bottom: 1px solid #eef0f3 }
  li span { flex: 1 } li.done span { text-decoration: line-through; color: #8a93a3 }
  #toast { position: fixed; bottom: 1.5rem; left: 50%; transform: translateX(-50%); background: #1d2430; color: white;
    padding: .6rem 1rem; border-radius: 8px; opacity: 0; transition: opacity .3s } #toast.show { opacity: 1 }
</style></head>
<body>
<h1>Todo board</h1>
<p id="status">connecting…</p>
<form id="add"><input id="text" type="text" placeholder="What needs doing?" maxlength="200" required><button>Add</button></form>
<ul id="list"></ul>
<div id="toast"></div>
<script>
  const todos = new Map()
  let lastSync = 0
  const seen = new Map() // id → timestamp of the last message applied to it
  const $ = (id) => document.getElementById(id)
  const api = (method, path, body) =>
    fetch(path, { method, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body) })

  function render() {
    const list = $('list')
    list.replaceChildren()
    for (const t of todos.values()) {
      const li = document.createElement('li')
      li.className = t.done ? 'done' : ''
      const box = Object.assign(document.createElement('input'), { type: 'checkbox', checked: t.done })
      box.onchange = () => api('PATCH', '/todos/' + t.id, { done: box.checked })
      const text = Object.assign(document.createElement('span'), { textContent: t.text })
      const del = Object.assign(document.createElement('button'), { className: 'ghost', textContent: '✕' })
      del.onclick = () => api('DELETE', '/todos/' + t.id)
      li.append(box, text, del)
      list.append(li)
    }
  }

  function toast(message) {
    const el = $('toast')
    el.textContent = message
    el.classList.add('show')
    clearTimeout(toast.timer)
    toast.timer = setTimeout(() => el.classList.remove('show'), 2500)
  }

  function apply(msg) {
    const { event, id, timestamp } = msg
    if (event.type === 'sync') {
      if (timestamp < lastSync) return
      lastSync = timestamp
      todos.clear()
      seen.clear()
      for (const t of event.data) todos.set(t.id, t)
    } else if (event.type === 'event') {
      if (event.event.type === 'celebrate') toast('🎉 ' + event.event.data.text + ' (' + event.event.data.completed + ' done)')
      return
    } else {
      // Items are versioned by timestamp: an older message never overwrites a newer one.
      if (timestamp <= (seen.get(id) ?? lastSync)) return
      seen.set(id, timestamp)
      if (event.type === 'delete') todos.delete(id)
      else todos.set(id, event.data)
    }
    render()
  }

  function connect() {
    const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host)
    ws.onopen = () => {
      $('status').textContent = 'live'
      ws.send(JSON.stringify({ type: 'join', data: { streamName: 'todos', groupId: 'board', subscriptionId: crypto.randomUUID() } }))
    }
    ws.onmessage = (e) => apply(JSON.parse(e.data))
    ws.onclose = () => {
      $('status').textContent = 'reconnecting…'
      setTimeout(connect, 2000)
    }
  }

  $('add').onsubmit = async (e) => {
    e.preventDefault()
    await api('POST', '/todos', { text: $('text').value })
    $('text').value = ''
  }
  connect()
</script>
</body></html>
`
