export interface LayoutNode {
  id: string
  width: number
  height: number
}

export interface LayoutEdge {
  from: string
  to: string
}

export interface PlacedNode extends LayoutNode {
  x: number
  y: number
  /** Column, left to right; -1 for nodes without any edge (laid out in rows below). */
  layer: number
}

export interface Layout {
  nodes: PlacedNode[]
  width: number
  height: number
}

export interface LayoutOptions {
  gapX?: number
  gapY?: number
  pad?: number
}

/**
 * A layered (Sugiyama-style) layout, left to right: each node's column is the longest path
 * to it (edges closing a cycle are ignored for that), rows are ordered by a few barycenter
 * sweeps to cut crossings, and nodes without any edge sit in a grid below the graph.
 * Pure: same input, same output (tested in flow-layout.test.ts).
 */
export function layered(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[], opts: LayoutOptions = {}): Layout {
  const gapX = opts.gapX ?? 140
  const gapY = opts.gapY ?? 28
  const pad = opts.pad ?? 24
  const ids = new Set(nodes.map((n) => n.id))
  const valid = edges.filter((e) => ids.has(e.from) && ids.has(e.to) && e.from !== e.to)
  const linked = new Set(valid.flatMap((e) => [e.from, e.to]))
  const graph = nodes.filter((n) => linked.has(n.id))
  const alone = nodes.filter((n) => !linked.has(n.id))

  const out = new Map<string, string[]>()
  for (const n of graph) out.set(n.id, [])
  for (const e of valid) out.get(e.from)!.push(e.to)

  // Depth-first search marks edges that close a cycle; the rest form a DAG.
  const dag: LayoutEdge[] = []
  const color = new Map<string, 1 | 2>()
  const visit = (id: string) => {
    color.set(id, 1)
    for (const to of out.get(id)!) {
      const c = color.get(to)
      if (c === 1) continue
      dag.push({ from: id, to })
      if (c === undefined) visit(to)
    }
    color.set(id, 2)
  }
  for (const n of graph) if (!color.has(n.id)) visit(n.id)

  // Longest path layering (Kahn's order over the DAG).
  const indegree = new Map(graph.map((n) => [n.id, 0]))
  for (const e of dag) indegree.set(e.to, indegree.get(e.to)! + 1)
  const layer = new Map(graph.map((n) => [n.id, 0]))
  const queue = graph.filter((n) => indegree.get(n.id) === 0).map((n) => n.id)
  while (queue.length) {
    const id = queue.shift()!
    for (const e of dag) {
      if (e.from !== id) continue
      layer.set(e.to, Math.max(layer.get(e.to)!, layer.get(id)! + 1))
      indegree.set(e.to, indegree.get(e.to)! - 1)
      if (indegree.get(e.to) === 0) queue.push(e.to)
    }
  }

  const layers: string[][] = []
  for (const n of graph) {
    const i = layer.get(n.id)!
    layers[i] ??= []
    layers[i].push(n.id)
  }
  orderLayers(layers, dag)

  const byId = new Map(nodes.map((n) => [n.id, n]))
  const placed: PlacedNode[] = []
  const heightOf = (col: string[]) => col.reduce((sum, id) => sum + byId.get(id)!.height, 0) + gapY * (col.length - 1)
  const tallest = Math.max(0, ...layers.map(heightOf))
  let x = pad
  layers.forEach((col, i) => {
    const colWidth = Math.max(...col.map((id) => byId.get(id)!.width))
    let y = pad + (tallest - heightOf(col)) / 2
    for (const id of col) {
      const n = byId.get(id)!
      placed.push({ ...n, x: x + (colWidth - n.width) / 2, y, layer: i })
      y += n.height + gapY
    }
    x += colWidth + gapX
  })
  let width = layers.length ? x - gapX + pad : pad
  let height = layers.length ? pad + tallest + pad : pad

  // Nodes without edges: rows below, as many per row as the graph has columns (at least 3).
  if (alone.length) {
    const perRow = Math.max(3, layers.length)
    const cellW = Math.max(...alone.map((n) => n.width))
    let y = layers.length ? height + gapY : pad
    for (let r = 0; r * perRow < alone.length; r++) {
      const row = alone.slice(r * perRow, (r + 1) * perRow)
      const rowH = Math.max(...row.map((n) => n.height))
      row.forEach((n, c) => {
        placed.push({ ...n, x: pad + c * (cellW + gapX / 2), y, layer: -1 })
      })
      width = Math.max(width, pad + row.length * (cellW + gapX / 2) - gapX / 2 + pad)
      y += rowH + gapY
    }
    height = y - gapY + pad
  }
  return { nodes: placed, width, height }
}

/** Barycenter sweeps: each node moves toward the mean row of its neighbours in the previous layer. */
function orderLayers(layers: string[][], edges: readonly LayoutEdge[]): void {
  const pos = () => {
    const p = new Map<string, number>()
    for (const col of layers) for (const [i, id] of col.entries()) p.set(id, i)
    return p
  }
  const sweep = (col: string[], neighbours: (id: string) => string[]) => {
    const p = pos()
    const score = new Map(
      col.map((id, i) => {
        const ns = neighbours(id)
        return [id, ns.length ? ns.reduce((s, n) => s + p.get(n)!, 0) / ns.length : i]
      }),
    )
    col.sort((a, b) => score.get(a)! - score.get(b)!)
  }
  const preds = (id: string) => edges.filter((e) => e.to === id).map((e) => e.from)
  const succs = (id: string) => edges.filter((e) => e.from === id).map((e) => e.to)
  for (let round = 0; round < 4; round++) {
    for (let i = 1; i < layers.length; i++) sweep(layers[i]!, preds)
    for (let i = layers.length - 2; i >= 0; i--) sweep(layers[i]!, succs)
  }
}
