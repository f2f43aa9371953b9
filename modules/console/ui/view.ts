/// <reference lib="dom" />
import type { BuildInfo } from '../../../runtime/build-info'
import type { ProjectManifest } from '../../../runtime/project-manifest'
import { api } from './api'
import { h } from './dom'
import type { LiveConnection } from './live'

export interface ProjectInfo {
  name: string
  mode: string
  manifest: ProjectManifest
  urls: { http: string | null; streams: string | null }
  tracing: boolean
  motia: BuildInfo
}

/** What a page gets when it is shown; everything it registers with `cleanup` runs when it leaves. */
export interface View {
  readonly root: HTMLElement
  /** Path parameters and the hash's query (`#/logs?step=CreateTodo`). */
  readonly params: Record<string, string>
  readonly live: LiveConnection
  project(): Promise<ProjectInfo>
  cleanup(fn: () => void): void
  /** False once the user moved to another page: async work checks it before drawing. */
  alive(): boolean
  go(hash: string): void
}

export type Page = (view: View) => void | Promise<void>

let projectCache: Promise<ProjectInfo> | undefined

export function loadProject(fresh = false): Promise<ProjectInfo> {
  if (fresh || !projectCache) {
    projectCache = api.get<ProjectInfo>('/api/project')
    projectCache.catch(() => {
      projectCache = undefined
    })
  }
  return projectCache
}

export function pageHeader(title: string, subtitle: string | Node, ...actions: Node[]): HTMLElement {
  return h(
    'header',
    { class: 'page-header' },
    h('div', null, h('h1', null, title), h('p', { class: 'subtitle' }, subtitle)),
    h('div', { class: 'actions' }, actions),
  )
}

/** `#/traces?step=A` for links between pages. */
export function hashFor(path: string, query: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) if (v) q.set(k, v)
  const s = q.toString()
  return `#/${path}${s ? `?${s}` : ''}`
}

/** Re-runs `fn` at most once per `ms` while events keep coming (live refreshes). */
export function throttle(fn: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined
  return () => {
    if (timer) return
    timer = setTimeout(() => {
      timer = undefined
      fn()
    }, ms)
  }
}
