/// <reference lib="dom" />

const TOKEN_KEY = 'motia-console-token'

/** The console token: from `?token=` once (then out of the address bar), kept for the tab. */
export function consoleToken(): string | null {
  const url = new URL(location.href)
  const given = url.searchParams.get('token')
  if (given) {
    sessionStorage.setItem(TOKEN_KEY, given)
    url.searchParams.delete('token')
    history.replaceState(null, '', url.pathname + url.search + url.hash)
  }
  return sessionStorage.getItem(TOKEN_KEY)
}

export function setToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token)
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

/** Called on 401 so the shell can ask for the token. */
let onUnauthorized: () => void = () => {}
export function whenUnauthorized(fn: () => void): void {
  onUnauthorized = fn
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {}
  const token = consoleToken()
  if (token) headers.authorization = `Bearer ${token}`
  if (body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) })
  const data = (await res.json().catch(() => ({}))) as { error?: string; code?: string }
  if (!res.ok) {
    if (res.status === 401) onUnauthorized()
    throw new ApiFailure(res.status, data.code ?? 'E_HTTP', data.error ?? `${res.status} ${res.statusText}`)
  }
  return data as T
}

/** `api.get('/api/logs', { level: 'warn' })`: query values left empty are not sent. */
export const api = {
  get<T>(path: string, query: Record<string, string | number | undefined> = {}): Promise<T> {
    const q = new URLSearchParams()
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') q.set(k, String(v))
    const s = q.toString()
    return call<T>('GET', s ? `${path}?${s}` : path)
  },
  post<T>(path: string, body: unknown): Promise<T> {
    return call<T>('POST', path, body)
  },
  put<T>(path: string, body: unknown): Promise<T> {
    return call<T>('PUT', path, body)
  },
  delete<T>(path: string, query: Record<string, string>): Promise<T> {
    return call<T>('DELETE', `${path}?${new URLSearchParams(query)}`)
  },
}
