/// <reference lib="dom" />
import type { LiveConnection } from './live'
import { loadProject, type Page, type View } from './view'

export interface Route {
  /** `traces/:traceId` */
  path: string
  page: Page
  nav: string
}

function match(route: string, path: string): Record<string, string> | undefined {
  const a = route.split('/')
  const b = path.split('/')
  if (a.length !== b.length) return undefined
  const params: Record<string, string> = {}
  for (let i = 0; i < a.length; i++) {
    if (a[i]!.startsWith(':')) params[a[i]!.slice(1)] = decodeURIComponent(b[i]!)
    else if (a[i] !== b[i]) return undefined
  }
  return params
}

/** Hash routing: `#/state?groupId=todos` shows the State page with that group open. */
export class Router {
  private cleanups: (() => void)[] = []
  private generation = 0

  constructor(
    private readonly routes: Route[],
    private readonly root: HTMLElement,
    private readonly live: LiveConnection,
    private readonly onNavigate: (nav: string) => void,
  ) {
    addEventListener('hashchange', () => this.show())
  }

  show(): void {
    const raw = location.hash.replace(/^#\/?/, '')
    const [path = '', query = ''] = raw.split('?')
    let found: { route: Route; params: Record<string, string> } | undefined
    for (const route of this.routes) {
      const params = match(route.path, path)
      if (params) {
        found = { route, params }
        break
      }
    }
    if (!found) {
      location.replace('#/flows')
      return
    }
    for (const fn of this.cleanups.splice(0)) fn()
    const generation = ++this.generation
    const params = { ...Object.fromEntries(new URLSearchParams(query)), ...found.params }
    this.root.replaceChildren()
    scrollTo(0, 0)
    this.onNavigate(found.route.nav)
    const view: View = {
      root: this.root,
      params,
      live: this.live,
      project: () => loadProject(),
      cleanup: (fn) => this.cleanups.push(fn),
      alive: () => generation === this.generation,
      go: (hash) => {
        location.hash = hash
      },
    }
    this.root.dataset.page = found.route.nav
    this.root.dataset.ready = 'false'
    Promise.resolve(found.route.page(view))
      .catch((err: Error) => {
        if (!view.alive()) return
        this.root.append(errorPanel(err))
      })
      .finally(() => {
        if (view.alive()) this.root.dataset.ready = 'true'
      })
  }
}

function errorPanel(err: Error): HTMLElement {
  const el = document.createElement('div')
  el.className = 'panel error-panel'
  el.textContent = `Could not load this page: ${err.message}`
  return el
}
