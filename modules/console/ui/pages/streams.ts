/// <reference lib="dom" />
import type { StreamItem } from '../../../streams/adapter'
import { api } from '../api'
import { emptyState, formatTime, h, jsonView, replace } from '../dom'
import type { LiveEvent } from '../live'
import { hashFor, pageHeader, throttle, type View } from '../view'

interface StreamInfo {
  name: string
  file: string
  schema?: unknown
  groups: string[]
}

type StreamLive = Extract<LiveEvent, { type: 'stream' }>
const MAX_FEED = 100

/** Streams: every stream's groups and items, updated in place as changes arrive. */
export async function streamsPage(view: View): Promise<void> {
  const listBox = h('div', { class: 'stream-list' })
  const itemsBox = h('div', { class: 'stream-items' })
  const feed = h('ol', { class: 'event-feed', reversed: true })
  let streams: StreamInfo[] = []
  let stream = view.params.stream ?? ''
  let groupId = view.params.groupId ?? ''
  const cards = new Map<string, HTMLElement>()

  view.root.append(
    pageHeader('Streams', 'Real-time stream items, as subscribed clients see them'),
    h(
      'div',
      { class: 'columns stream-columns' },
      h('section', { class: 'panel' }, h('h3', null, 'Streams'), listBox),
      h('section', { class: 'panel' }, itemsBox),
      h('section', { class: 'panel' }, h('h3', null, 'Live changes'), feed),
    ),
  )

  const drawList = () => {
    if (streams.length === 0) return replace(listBox, emptyState('No streams', 'Define one in a *.stream.ts file.'))
    replace(
      listBox,
      streams.map((s) =>
        h(
          'div',
          { class: 'stream-entry', 'data-stream': s.name },
          h('div', { class: 'stream-name' }, s.name, h('span', { class: 'muted' }, s.file)),
          s.groups.length === 0
            ? h('p', { class: 'muted small' }, 'no groups yet')
            : h(
                'ul',
                { class: 'pick-list' },
                s.groups.map((g) =>
                  h(
                    'li',
                    null,
                    h(
                      'button',
                      {
                        type: 'button',
                        class: ['pick', s.name === stream && g === groupId && 'active'],
                        'data-group': g,
                        onClick: () => open(s.name, g),
                      },
                      g,
                    ),
                  ),
                ),
              ),
        ),
      ),
    )
  }
  const loadList = async () => {
    streams = (await api.get<{ streams: StreamInfo[] }>('/api/streams')).streams
    if (view.alive()) drawList()
  }
  const card = (item: StreamItem) =>
    h(
      'article',
      { class: 'item-card', 'data-item': item.id },
      h('header', null, h('code', null, item.id)),
      jsonView(item),
    )
  const open = async (s: string, g: string) => {
    stream = s
    groupId = g
    history.replaceState(null, '', hashFor('streams', { stream: s, groupId: g }))
    drawList()
    const { items } = await api.get<{ items: StreamItem[] }>('/api/streams/items', { stream: s, groupId: g })
    if (!view.alive() || stream !== s || groupId !== g) return
    cards.clear()
    const grid = h('div', { class: 'item-grid' })
    for (const item of items) {
      const c = card(item)
      cards.set(item.id, c)
      grid.append(c)
    }
    replace(
      itemsBox,
      h('h3', null, `${s} / ${g} `, h('span', { class: 'muted' }, `${items.length} items`)),
      items.length ? grid : emptyState('This group is empty', 'Items appear here as steps write them.'),
    )
  }
  const flash = (el: Element, cls: string) => {
    el.classList.remove('flash-create', 'flash-update')
    void (el as HTMLElement).offsetWidth
    el.classList.add(cls)
  }
  const apply = (e: StreamLive) => {
    if (e.streamName !== stream || e.groupId !== groupId) return
    const grid = itemsBox.querySelector('.item-grid')
    if (!grid) return void open(stream, groupId)
    if (e.event.type === 'event') return
    const item = e.event.data
    const existing = cards.get(item.id)
    if (e.event.type === 'delete') {
      existing?.remove()
      cards.delete(item.id)
      return
    }
    const next = card(item)
    if (existing) existing.replaceWith(next)
    else grid.append(next)
    cards.set(item.id, next)
    flash(next, e.event.type === 'create' ? 'flash-create' : 'flash-update')
  }
  const refreshList = throttle(() => void loadList(), 300)
  view.cleanup(
    view.live.on('stream', (e) => {
      const known = streams.find((s) => s.name === e.streamName)
      if (!known?.groups.includes(e.groupId)) refreshList()
      // Nothing open yet (no items when the page opened): show the first group that changes.
      if (!stream && e.event.type !== 'event') void open(e.streamName, e.groupId)
      else apply(e)
      const what = e.event.type === 'event' ? `event ${e.event.event.type}` : e.event.type
      feed.prepend(
        h(
          'li',
          { class: `feed-${e.event.type}` },
          h('span', { class: 'muted mono' }, formatTime(Date.now())),
          ' ',
          h('strong', null, what),
          ` ${e.streamName}/${e.groupId}${e.id ? `/${e.id}` : ''}`,
        ),
      )
      while (feed.childElementCount > MAX_FEED) feed.lastElementChild!.remove()
    }),
  )
  await loadList()
  const first = streams.find((s) => s.groups.length)
  if (stream && groupId) await open(stream, groupId)
  else if (first) await open(first.name, first.groups[0]!)
  else replace(itemsBox, emptyState('Pick a stream group', 'Its items show here and update live.'))
}
