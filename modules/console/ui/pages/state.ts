/// <reference lib="dom" />
import type { StateEntry } from '../../../state/adapter'
import { api } from '../api'
import { confirmButton, emptyState, h, preview, replace, toast } from '../dom'
import { hashFor, pageHeader, throttle, type View } from '../view'

/** State: groups, their keys, and one value to view and edit (saved through the engine). */
export async function statePage(view: View): Promise<void> {
  const groupsBox = h('div', { class: 'state-groups' })
  const keysBox = h('div', { class: 'state-keys' })
  const editorBox = h('div', { class: 'state-editor' })
  const groupFilter = h('input', {
    type: 'search',
    class: 'search',
    placeholder: 'Filter groups…',
    'aria-label': 'filter groups',
  })
  const keyFilter = h('input', {
    type: 'search',
    class: 'search',
    placeholder: 'Filter keys…',
    'aria-label': 'filter keys',
  })
  view.root.append(
    pageHeader('State', 'Key-value state by group, as steps see it through ctx.state'),
    h(
      'div',
      { class: 'columns three' },
      h('section', { class: 'panel' }, h('h3', null, 'Groups'), groupFilter, groupsBox),
      h('section', { class: 'panel' }, h('h3', null, 'Keys'), keyFilter, keysBox),
      h('section', { class: 'panel' }, editorBox),
    ),
  )

  let groups: string[] = []
  let entries: StateEntry[] = []
  let groupId = view.params.groupId ?? ''
  let key = view.params.key ?? ''
  let editor: Editor | undefined

  const select = (g: string, k = '') => {
    history.replaceState(null, '', hashFor('state', { groupId: g, key: k }))
  }
  const drawGroups = () => {
    const q = groupFilter.value.toLowerCase()
    const shown = groups.filter((g) => g.toLowerCase().includes(q))
    if (groups.length === 0)
      return replace(groupsBox, emptyState('No state yet', 'Groups appear once a step writes to ctx.state.'))
    replace(
      groupsBox,
      h(
        'ul',
        { class: 'pick-list' },
        shown.map((g) =>
          h(
            'li',
            null,
            h(
              'button',
              {
                type: 'button',
                class: ['pick', g === groupId && 'active'],
                'data-group': g,
                onClick: () => openGroup(g),
              },
              g,
            ),
          ),
        ),
      ),
    )
  }
  const drawKeys = () => {
    if (!groupId) return replace(keysBox, h('p', { class: 'muted' }, 'Pick a group.'))
    const q = keyFilter.value.toLowerCase()
    const newKey = h('input', { name: 'new-key', placeholder: 'new key', 'aria-label': 'new key' })
    replace(
      keysBox,
      h(
        'ul',
        { class: 'pick-list' },
        entries
          .filter((e) => e.key.toLowerCase().includes(q))
          .map((e) =>
            h(
              'li',
              null,
              h(
                'button',
                {
                  type: 'button',
                  class: ['pick', e.key === key && 'active'],
                  'data-key': e.key,
                  onClick: () => openKey(e.key),
                },
                h('span', { class: 'key-name' }, e.key),
                h('span', { class: 'preview' }, preview(e.value, 80)),
              ),
            ),
          ),
      ),
      h(
        'form',
        {
          class: 'inline-form',
          onSubmit: (ev: Event) => {
            ev.preventDefault()
            if (newKey.value.trim()) openKey(newKey.value.trim(), {})
          },
        },
        newKey,
        h('button', { class: 'btn', type: 'submit' }, 'Add key'),
      ),
    )
  }
  const loadGroups = async () => {
    groups = (await api.get<{ groups: string[] }>('/api/state/groups')).groups
    if (groupId && !groups.includes(groupId)) groups = [...groups, groupId].sort()
    if (view.alive()) drawGroups()
  }
  const loadEntries = async () => {
    if (!groupId) return drawKeys()
    entries = (await api.get<{ entries: StateEntry[] }>('/api/state/entries', { groupId })).entries
    if (view.alive()) drawKeys()
  }
  const openGroup = async (g: string) => {
    groupId = g
    key = ''
    select(g)
    drawGroups()
    replace(editorBox, emptyState('Pick a key', 'Its value opens here, ready to edit.'))
    await loadEntries()
  }
  const openKey = (k: string, fresh?: unknown) => {
    key = k
    select(groupId, k)
    drawKeys()
    const entry = entries.find((e) => e.key === k)
    editor = new Editor(groupId, k, entry ? entry.value : fresh, entry === undefined, {
      saved: async () => {
        await Promise.all([loadGroups(), loadEntries()])
      },
      deleted: async () => {
        key = ''
        editor = undefined
        replace(editorBox, emptyState('Deleted', `${k} was removed from ${groupId}.`))
        select(groupId)
        await Promise.all([loadGroups(), loadEntries()])
      },
    })
    replace(editorBox, editor.el)
  }

  groupFilter.addEventListener('input', drawGroups)
  keyFilter.addEventListener('input', drawKeys)
  const refresh = throttle(() => {
    void loadGroups()
    void loadEntries()
  }, 250)
  view.cleanup(
    view.live.on('state', (e) => {
      if (!groups.includes(e.groupId) || e.groupId === groupId) refresh()
      if (editor && e.groupId === editor.groupId && e.key === editor.key)
        editor.external(e.event === 'deleted' ? undefined : e.value)
    }),
  )
  await loadGroups()
  if (groupId) {
    await loadEntries()
    if (key) openKey(key)
    else replace(editorBox, emptyState('Pick a key', 'Its value opens here, ready to edit.'))
  } else {
    drawKeys()
    replace(editorBox, emptyState('Pick a group', 'Then a key, to see and edit its value.'))
  }
}

/** The JSON editor of one key: save validates the JSON first; a change made elsewhere is announced, not lost. */
class Editor {
  readonly el: HTMLElement
  private readonly text: HTMLTextAreaElement
  private readonly note: HTMLElement
  private original: string

  constructor(
    readonly groupId: string,
    readonly key: string,
    value: unknown,
    isNew: boolean,
    on: { saved(): Promise<void>; deleted(): Promise<void> },
  ) {
    this.original = JSON.stringify(value ?? null, null, 2)
    this.text = h('textarea', {
      name: 'value',
      class: 'code',
      rows: 18,
      spellcheck: 'false',
      'aria-label': 'value (JSON)',
    })
    this.text.value = this.original
    this.note = h('div', { class: 'editor-note', role: 'status' })
    const save = h('button', { class: 'btn primary', type: 'submit', 'data-action': 'save' }, 'Save')
    this.el = h(
      'form',
      {
        class: 'editor',
        'data-editing': `${groupId}/${key}`,
        onSubmit: async (ev: Event) => {
          ev.preventDefault()
          let parsed: unknown
          try {
            parsed = JSON.parse(this.text.value)
          } catch (err) {
            this.show(`Not valid JSON: ${(err as Error).message}`, 'error')
            return
          }
          save.disabled = true
          try {
            await api.put('/api/state/entry', { groupId, key, value: parsed })
            this.original = JSON.stringify(parsed, null, 2)
            this.text.value = this.original
            this.show('Saved', 'ok')
            toast(`Saved ${groupId} / ${key}`)
            await on.saved()
          } catch (err) {
            this.show((err as Error).message, 'error')
          } finally {
            save.disabled = false
          }
        },
      },
      h(
        'div',
        { class: 'editor-head' },
        h('h3', null, key, isNew && h('span', { class: 'badge' }, 'new')),
        h('span', { class: 'muted' }, groupId),
      ),
      this.text,
      this.note,
      h(
        'div',
        { class: 'form-actions' },
        save,
        h('button', { class: 'btn', type: 'button', onClick: () => this.revert() }, 'Revert'),
        !isNew &&
          confirmButton('Delete', async () => {
            await api.delete('/api/state/entry', { groupId, key })
            toast(`Deleted ${groupId} / ${key}`)
            await on.deleted()
          }),
      ),
    )
  }

  private get dirty(): boolean {
    return this.text.value !== this.original
  }

  /** The key changed elsewhere (a step, another console). */
  external(value: unknown): void {
    const next = JSON.stringify(value ?? null, null, 2)
    if (next === this.original) return
    if (!this.dirty) {
      this.original = next
      this.text.value = next
      this.show(value === undefined ? 'Deleted elsewhere' : 'Updated elsewhere', 'info')
    } else {
      this.original = next
      this.show('Changed elsewhere while you edit: Revert shows the new value, Save overwrites it', 'warn')
    }
  }

  private revert(): void {
    this.text.value = this.original
    this.show('', 'info')
  }

  private show(message: string, kind: 'ok' | 'error' | 'warn' | 'info'): void {
    this.note.textContent = message
    this.note.className = `editor-note ${kind}`
  }
}
