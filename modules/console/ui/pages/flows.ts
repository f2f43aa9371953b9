/// <reference lib="dom" />
import type { ProjectManifest } from '../../../../runtime/project-manifest'
import { emptyState, h, jsonView, replace, s } from '../dom'
import { layered } from '../flow-layout'
import { hashFor, pageHeader, type View } from '../view'
import { flowGraph, type GraphEdge, type GraphNode, TOPIC_PREFIX, triggerLabel } from './flow-graph'

type Step = ProjectManifest['steps'][number]

/** Short enough for the corner of a node card. */
const LANGUAGE_LABEL: Record<Step['language'], string> = { typescript: 'TS', javascript: 'JS', python: 'PY' }

const ALL = '*'

/** Flows: steps joined by the topics they enqueue and consume, one diagram per flow. */
export async function flowsPage(view: View): Promise<void> {
  const { manifest } = await view.project()
  if (!view.alive()) return
  const flows = Object.keys(manifest.flows).sort()
  const choice =
    view.params.flow && (view.params.flow === ALL || flows.includes(view.params.flow))
      ? view.params.flow
      : (flows[0] ?? ALL)
  const names = new Set(choice === ALL ? manifest.steps.map((s) => s.name) : manifest.flows[choice])

  const tabs = h(
    'div',
    { class: 'tabs', role: 'tablist' },
    [...flows, ALL].map((f) =>
      h(
        'a',
        { class: ['tab', f === choice && 'active'], href: hashFor('flows', { flow: f }), role: 'tab', 'data-flow': f },
        f === ALL ? 'All steps' : f,
        h('span', { class: 'count' }, f === ALL ? manifest.steps.length : manifest.flows[f]!.length),
      ),
    ),
  )
  const details = h('aside', { class: 'panel flow-details' }, detailsHint())
  const diagram = h('div', { class: 'panel diagram' })
  view.root.append(
    pageHeader('Flows', `${manifest.steps.length} steps · ${Object.keys(manifest.topics).length} topics`),
    tabs,
    h('div', { class: 'flow-body' }, diagram, details),
    legend(),
  )
  if (names.size === 0) {
    diagram.append(emptyState('No steps', 'Add *.step.ts files under steps/ and they appear here.'))
    return
  }
  diagram.append(draw(flowGraph(manifest, names), (step) => replace(details, stepDetails(step))))
}

function detailsHint(): HTMLElement {
  return emptyState('Select a step', 'Its triggers, the topics it enqueues and links to its traces and logs show here.')
}

const KIND_ORDER = ['http', 'queue', 'cron', 'state', 'stream']
const primaryKind = (step: Step) =>
  KIND_ORDER.find((k) => step.triggers.some((t) => t.type === k)) ?? String(step.triggers[0]?.type ?? 'none')

function draw(graph: { nodes: GraphNode[]; edges: GraphEdge[] }, select: (step: Step) => void): SVGSVGElement {
  const layout = layered(graph.nodes, graph.edges)
  const at = new Map(layout.nodes.map((n) => [n.id, n]))
  const svg = s('svg', {
    class: 'flow-svg',
    width: layout.width,
    height: layout.height,
    viewBox: `0 0 ${layout.width} ${layout.height}`,
    role: 'img',
    'aria-label': 'flow diagram',
  })
  svg.append(
    s(
      'defs',
      null,
      s(
        'marker',
        {
          id: 'arrow',
          viewBox: '0 0 10 10',
          refX: 9,
          refY: 5,
          markerWidth: 8,
          markerHeight: 8,
          orient: 'auto-start-reverse',
        },
        s('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow-head' }),
      ),
    ),
  )
  const edgeLayer = s('g', { class: 'edges' })
  const labelLayer = s('g', { class: 'edge-labels' })
  const nodeLayer = s('g', { class: 'nodes' })
  svg.append(edgeLayer, nodeLayer, labelLayer)

  for (const e of graph.edges) {
    const a = at.get(e.from)!
    const b = at.get(e.to)!
    let d: string
    let mid: { x: number; y: number }
    if (b.layer > a.layer) {
      const [x1, y1, x2, y2] = [a.x + a.width, a.y + a.height / 2, b.x, b.y + b.height / 2]
      const dx = Math.max(40, (x2 - x1) / 2)
      d = `M ${x1} ${y1} C ${x1 + dx} ${y1}, ${x2 - dx} ${y2}, ${x2} ${y2}`
      mid = { x: (x1 + x2) / 2, y: (y1 + y2) / 2 }
    } else {
      // Back edge (a cycle): loop under both nodes.
      const [x1, y1, x2, y2] = [a.x + a.width / 2, a.y + a.height, b.x + b.width / 2, b.y + b.height]
      const drop = 50
      d = `M ${x1} ${y1} C ${x1} ${y1 + drop}, ${x2} ${y2 + drop}, ${x2} ${y2}`
      mid = { x: (x1 + x2) / 2, y: Math.max(y1, y2) + drop * 0.75 }
    }
    const g = s('g', {
      class: ['edge', e.conditional && 'conditional'],
      'data-from': e.from,
      'data-to': e.to,
      'data-topic': e.topic,
    })
    g.append(s('path', { d, 'marker-end': 'url(#arrow)' }), s('title', null, `${e.from} → ${e.topic} → ${e.to}`))
    edgeLayer.append(g)
    const w = e.topic.length * 6.6 + 14
    labelLayer.append(
      s(
        'g',
        { class: 'edge-label', transform: `translate(${mid.x - w / 2} ${mid.y - 10})` },
        s('rect', { width: w, height: 20, rx: 10 }),
        s('text', { x: w / 2, y: 14, 'text-anchor': 'middle' }, e.topic),
      ),
    )
  }

  for (const n of graph.nodes) {
    const p = at.get(n.id)!
    if (n.kind === 'topic') {
      const topic = n.id.slice(TOPIC_PREFIX.length)
      nodeLayer.append(
        s(
          'g',
          { class: 'node topic', 'data-topic-node': topic, transform: `translate(${p.x} ${p.y})` },
          s('rect', { width: p.width, height: p.height, rx: p.height / 2 }),
          s('text', { x: p.width / 2, y: p.height / 2 + 4, 'text-anchor': 'middle' }, topic),
          s('title', null, `topic ${topic}`),
        ),
      )
      continue
    }
    const step = n.step!
    const kind = primaryKind(step)
    const g = s('g', {
      class: `node step kind-${kind}`,
      'data-step': step.name,
      transform: `translate(${p.x} ${p.y})`,
      tabindex: 0,
      role: 'button',
    })
    g.append(
      s('rect', { class: 'card', width: p.width, height: p.height, rx: 10 }),
      s('rect', { class: 'stripe', width: 5, height: p.height, rx: 2 }),
      s('text', { class: 'name', x: 16, y: 24 }, step.name),
      s('text', { class: 'file', x: 16, y: 42 }, step.file),
      s(
        'text',
        { class: `lang lang-${step.language}`, x: p.width - 10, y: 24, 'text-anchor': 'end' },
        LANGUAGE_LABEL[step.language],
      ),
    )
    step.triggers.forEach((t, i) => {
      const y = 54 + i * 24
      const label = triggerLabel(t)
      g.append(
        s(
          'g',
          { class: `trigger kind-${t.type}`, transform: `translate(16 ${y})`, 'data-trigger': String(t.type) },
          s('rect', { width: 52, height: 18, rx: 4 }),
          s('text', { x: 26, y: 13, 'text-anchor': 'middle', class: 'kind' }, String(t.type)),
          s('text', { x: 60, y: 13, class: 'label' }, label.length > 28 ? `${label.slice(0, 27)}…` : label),
        ),
      )
    })
    const choose = () => {
      for (const el of nodeLayer.querySelectorAll('.selected')) el.classList.remove('selected')
      g.classList.add('selected')
      select(step)
    }
    g.addEventListener('click', choose)
    g.addEventListener('keydown', (e) => (e.key === 'Enter' || e.key === ' ') && choose())
    nodeLayer.append(g)
  }
  return svg
}

function stepDetails(step: Step): HTMLElement {
  return h(
    'div',
    { class: 'step-details', 'data-details': step.name },
    h('h2', null, step.name),
    step.description && h('p', { class: 'muted' }, step.description),
    h(
      'div',
      { class: 'kv' },
      h('span', null, 'file'),
      h('code', null, step.file),
      h('span', { class: `badge lang lang-${step.language}`, 'data-language': step.language }, step.language),
    ),
    step.flows.length > 0 &&
      h('div', { class: 'kv' }, h('span', null, 'flows'), h('span', null, step.flows.join(', '))),
    h('h3', null, 'Triggers'),
    h(
      'ul',
      { class: 'trigger-list' },
      step.triggers.map((t) =>
        h('li', null, h('span', { class: `badge kind-${t.type}` }, String(t.type)), h('code', null, triggerLabel(t))),
      ),
    ),
    step.enqueues.length > 0 && [
      h('h3', null, 'Enqueues'),
      h(
        'ul',
        { class: 'trigger-list' },
        step.enqueues.map((e) =>
          h('li', null, h('code', null, e.topic), e.conditional && h('span', { class: 'muted' }, ' (conditional)')),
        ),
      ),
    ],
    h(
      'div',
      { class: 'links' },
      h('a', { class: 'btn', href: hashFor('traces', { step: step.name }) }, 'Traces'),
      h('a', { class: 'btn', href: hashFor('logs', { step: step.name }) }, 'Logs'),
    ),
    h('details', null, h('summary', null, 'Triggers as JSON'), jsonView(step.triggers)),
  )
}

function legend(): HTMLElement {
  return h(
    'div',
    { class: 'legend' },
    KIND_ORDER.map((k) => h('span', null, h('i', { class: `swatch kind-${k}` }), k)),
    h('span', null, h('i', { class: 'swatch topic' }), 'topic outside the view'),
  )
}
