/// <reference lib="dom" />
import { consoleToken, setToken, whenUnauthorized } from './api'
import { h } from './dom'
import { LiveConnection } from './live'
import { endpointsPage } from './pages/endpoints'
import { flowsPage } from './pages/flows'
import { logsPage } from './pages/logs'
import { metricsPage } from './pages/metrics'
import { queuesPage } from './pages/queues'
import { statePage } from './pages/state'
import { streamsPage } from './pages/streams'
import { traceDetailPage, tracesPage } from './pages/traces'
import { type Route, Router } from './router'
import { loadProject } from './view'

const NAV: { id: string; label: string; icon: string }[] = [
  { id: 'flows', label: 'Flows', icon: 'M4 6h5v4H4zM15 14h5v4h-5zM9 8h3a2 2 0 0 1 2 2v4a2 2 0 0 0 2 2' },
  { id: 'endpoints', label: 'Endpoints', icon: 'M4 7h16M4 12h10M4 17h13' },
  { id: 'traces', label: 'Traces', icon: 'M4 6h9M7 11h10M10 16h8' },
  { id: 'logs', label: 'Logs', icon: 'M5 5h14v14H5zM8 9h8M8 12h8M8 15h5' },
  { id: 'state', label: 'State', icon: 'M5 7c0-2 14-2 14 0v10c0 2-14 2-14 0zM5 7c0 2 14 2 14 0M5 12c0 2 14 2 14 0' },
  {
    id: 'streams',
    label: 'Streams',
    icon: 'M3 8c3-3 6 3 9 0s6 3 9 0M3 13c3-3 6 3 9 0s6 3 9 0M3 18c3-3 6 3 9 0s6 3 9 0',
  },
  { id: 'queues', label: 'Queues', icon: 'M4 6h16v4H4zM4 14h16v4H4z' },
  { id: 'metrics', label: 'Metrics', icon: 'M4 19h16M6 16l4-5 3 3 5-7' },
]

const routes: Route[] = [
  { path: 'flows', page: flowsPage, nav: 'flows' },
  { path: 'endpoints', page: endpointsPage, nav: 'endpoints' },
  { path: 'traces', page: tracesPage, nav: 'traces' },
  { path: 'traces/:traceId', page: traceDetailPage, nav: 'traces' },
  { path: 'logs', page: logsPage, nav: 'logs' },
  { path: 'state', page: statePage, nav: 'state' },
  { path: 'streams', page: streamsPage, nav: 'streams' },
  { path: 'queues', page: queuesPage, nav: 'queues' },
  { path: 'metrics', page: metricsPage, nav: 'metrics' },
]

function icon(d: string): SVGSVGElement {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg')
  svg.setAttribute('viewBox', '0 0 24 24')
  svg.setAttribute('aria-hidden', 'true')
  const path = document.createElementNS('http://www.w3.org/2000/svg', 'path')
  path.setAttribute('d', d)
  svg.append(path)
  return svg
}

function askForToken(): void {
  if (document.querySelector('.token-dialog')) return
  const input = h('input', { type: 'password', name: 'token', placeholder: 'console.token', autocomplete: 'off' })
  const dialog = h(
    'div',
    { class: 'token-dialog', role: 'dialog', 'aria-modal': 'true' },
    h(
      'form',
      {
        class: 'panel',
        onSubmit: (e: Event) => {
          e.preventDefault()
          setToken(input.value.trim())
          location.reload()
        },
      },
      h('h2', null, 'This console needs its token'),
      h('p', null, 'It is bound beyond localhost, so every call carries console.token from config.yaml.'),
      input,
      h('button', { class: 'btn primary', type: 'submit' }, 'Open the console'),
    ),
  )
  document.body.append(dialog)
  input.focus()
}

function start(): void {
  consoleToken()
  whenUnauthorized(askForToken)
  const nav = document.getElementById('nav')!
  const links = new Map<string, HTMLAnchorElement>()
  for (const item of NAV) {
    const a = h('a', { href: `#/${item.id}`, 'data-nav': item.id }, icon(item.icon), h('span', null, item.label))
    links.set(item.id, a)
    nav.append(a)
  }
  const live = new LiveConnection()
  const status = document.getElementById('live-status')!
  live.onStatus = (connected) => {
    status.dataset.connected = String(connected)
    status.querySelector('span')!.textContent = connected ? 'live' : 'reconnecting…'
  }
  live.connect()

  const router = new Router(routes, document.getElementById('page')!, live, (id) => {
    for (const [k, a] of links) a.classList.toggle('active', k === id)
  })
  router.show()
  // Dev reload changed the steps: pages drawn from the project are drawn again.
  live.on('project', () => {
    void loadProject(true).then(() => {
      const page = document.getElementById('page')!.dataset.page
      if (page === 'flows' || page === 'endpoints') router.show()
    })
  })

  loadProject()
    .then((p) => {
      document.getElementById('project-name')!.textContent = p.name
      document.getElementById('mode')!.textContent = p.mode
      const v = document.getElementById('motia-version')!
      v.textContent = `motia ${p.motia.version}`
      v.title = [p.motia.commit && `commit ${p.motia.commit}`, p.motia.date && `built ${p.motia.date}`, p.motia.target]
        .filter(Boolean)
        .join(' · ')
      document.title = `${p.name} · motia console`
    })
    .catch(() => {})
}

start()
