import type { ProjectManifest } from '../../../../runtime/project-manifest'

type Step = ProjectManifest['steps'][number]

export interface GraphNode {
  id: string
  kind: 'step' | 'topic'
  step?: Step
  width: number
  height: number
}

export interface GraphEdge {
  from: string
  to: string
  topic: string
  conditional: boolean
}

export const TOPIC_PREFIX = 'topic:'

/** `GET /todos`, `todo.created`, `0 9 * * *`: what a trigger badge says. */
export function triggerLabel(t: Record<string, unknown>): string {
  switch (t.type) {
    case 'http':
      return `${t.method} ${t.path}`
    case 'queue':
      return String(t.topic)
    case 'cron':
      return String(t.expression)
    case 'stream':
      return String(t.streamName)
    case 'state':
      return 'state change'
    default:
      return String(t.type)
  }
}

/**
 * Steps joined by topics: an edge from each producer to each consumer of a topic, both in
 * view. A topic with only one side in view appears as its own small node, so a message that
 * leaves the flow (or arrives from outside it) stays visible.
 */
export function flowGraph(
  manifest: ProjectManifest,
  names: ReadonlySet<string>,
): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const steps = manifest.steps.filter((s) => names.has(s.name))
  const nodes: GraphNode[] = steps.map((step) => ({
    id: step.name,
    kind: 'step',
    step,
    width: 256,
    height: 56 + Math.max(1, step.triggers.length) * 24,
  }))
  const edges: GraphEdge[] = []
  const conditional = new Set<string>()
  for (const s of steps) for (const e of s.enqueues) if (e.conditional) conditional.add(`${s.name}\u0000${e.topic}`)
  for (const [topic, { producers, consumers }] of Object.entries(manifest.topics)) {
    const from = [...new Set(producers)].filter((p) => names.has(p))
    const to = [...new Set(consumers)].filter((c) => names.has(c))
    if (from.length === 0 && to.length === 0) continue
    const topicNode = () => {
      const id = TOPIC_PREFIX + topic
      if (!nodes.some((n) => n.id === id)) nodes.push({ id, kind: 'topic', width: 170, height: 36 })
      return id
    }
    const cond = (p: string) => conditional.has(`${p}\u0000${topic}`)
    if (from.length && to.length) {
      for (const p of from) for (const c of to) edges.push({ from: p, to: c, topic, conditional: cond(p) })
    } else if (from.length) {
      const t = topicNode()
      for (const p of from) edges.push({ from: p, to: t, topic, conditional: cond(p) })
    } else {
      const t = topicNode()
      for (const c of to) edges.push({ from: t, to: c, topic, conditional: false })
    }
  }
  return { nodes, edges }
}
