/// <reference lib="dom" />

type Child = Node | string | number | false | null | undefined | Child[]
type Attrs = Record<string, unknown>

function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue
    if (Array.isArray(c)) append(el, c)
    else el.append(c instanceof Node ? c : String(c))
  }
}

function apply(el: Element, attrs: Attrs): void {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v as EventListener)
    else if (k === 'class') el.setAttribute('class', Array.isArray(v) ? v.filter(Boolean).join(' ') : String(v))
    else if (k === 'style' && typeof v === 'object') Object.assign((el as HTMLElement).style, v)
    else if (k === 'value' && 'value' in el) (el as HTMLInputElement).value = String(v)
    else if (k === 'checked' || k === 'disabled' || k === 'selected') (el as any)[k] = Boolean(v)
    else el.setAttribute(k, v === true ? '' : String(v))
  }
}

/** `h('div', { class: 'card', onClick }, 'text', child)`: one DOM element, no framework. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  if (attrs) apply(el, attrs)
  append(el, children)
  return el
}

const SVG_NS = 'http://www.w3.org/2000/svg'

export function s<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Attrs | null = null,
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag)
  if (attrs) apply(el, attrs)
  append(el, children)
  return el
}

export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren()
  append(el, children)
}

export function formatTime(ms: number): string {
  const d = new Date(ms)
  const p = (n: number, w = 2) => String(n).padStart(w, '0')
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`
}

export function formatDateTime(ms: number): string {
  const d = new Date(ms)
  const today = new Date().toDateString() === d.toDateString()
  return today ? formatTime(ms) : `${d.toLocaleDateString()} ${formatTime(ms)}`
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || Number.isNaN(ms)) return '—'
  if (ms === 0) return '0'
  if (ms < 1) return `${Math.round(ms * 1000)} µs`
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`
}

const TOKEN =
  /("(?:\\u[a-fA-F0-9]{4}|\\[^u]|[^\\"])*"(\s*:)?|\b(?:true|false|null)\b|-?\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)/g

/** Pretty, coloured JSON in a <pre> (text nodes only: values never become markup). */
export function jsonView(value: unknown, opts: { compact?: boolean } = {}): HTMLPreElement {
  const text = value === undefined ? 'undefined' : JSON.stringify(value, null, opts.compact ? 0 : 2)
  const pre = h('pre', { class: ['json', opts.compact && 'compact'] })
  let last = 0
  for (const m of text.matchAll(TOKEN)) {
    const i = m.index ?? 0
    if (i > last) pre.append(text.slice(last, i))
    const t = m[0]
    const cls = t.startsWith('"')
      ? m[2]
        ? 'key'
        : 'string'
      : /true|false/.test(t)
        ? 'bool'
        : t === 'null'
          ? 'null'
          : 'number'
    pre.append(h('span', { class: `j-${cls}` }, t))
    last = i + t.length
  }
  if (last < text.length) pre.append(text.slice(last))
  return pre
}

/** A short one-line preview of a JSON value. */
export function preview(value: unknown, max = 120): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  if (text === undefined) return String(value)
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

let toastBox: HTMLElement | undefined

export function toast(message: string, kind: 'ok' | 'error' = 'ok'): void {
  toastBox ??= document.body.appendChild(h('div', { class: 'toasts', 'aria-live': 'polite' }))
  const t = h('div', { class: ['toast', kind], role: kind === 'error' ? 'alert' : 'status' }, message)
  toastBox.append(t)
  setTimeout(() => t.remove(), kind === 'error' ? 6000 : 2500)
}

export function emptyState(title: string, detail?: string): HTMLElement {
  return h('div', { class: 'empty' }, h('div', { class: 'empty-title' }, title), detail && h('p', null, detail))
}

/** A button that asks for a second click before acting (no blocking confirm()). */
export function confirmButton(label: string, action: () => void | Promise<void>, cls = 'danger'): HTMLButtonElement {
  let armed: ReturnType<typeof setTimeout> | undefined
  const b = h('button', { class: ['btn', cls], type: 'button' }, label)
  b.addEventListener('click', async () => {
    if (!armed) {
      b.textContent = 'Click again to confirm'
      b.classList.add('armed')
      armed = setTimeout(() => {
        armed = undefined
        b.textContent = label
        b.classList.remove('armed')
      }, 3000)
      return
    }
    clearTimeout(armed)
    armed = undefined
    b.textContent = label
    b.classList.remove('armed')
    await action()
  })
  return b
}
