import { expect, test } from 'bun:test'
import { layered } from './flow-layout'

const node = (id: string, height = 40) => ({ id, width: 100, height })
const columns = (layout: ReturnType<typeof layered>) => Object.fromEntries(layout.nodes.map((n) => [n.id, n.layer]))
const overlaps = (layout: ReturnType<typeof layered>) =>
  layout.nodes.some((a, i) =>
    layout.nodes.some(
      (b, j) => i < j && a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height,
    ),
  )

test('a chain goes left to right, a fan-out shares a column, lone nodes go below', () => {
  const layout = layered(
    [node('api'), node('store'), node('notify'), node('audit'), node('cron')],
    [
      { from: 'api', to: 'store' },
      { from: 'api', to: 'notify' },
      { from: 'store', to: 'audit' },
      { from: 'notify', to: 'audit' },
    ],
  )
  expect(columns(layout)).toEqual({ api: 0, store: 1, notify: 1, audit: 2, cron: -1 })
  const at = Object.fromEntries(layout.nodes.map((n) => [n.id, n]))
  expect(at.store!.x).toBeGreaterThan(at.api!.x + 100)
  expect(at.cron!.y).toBeGreaterThan(Math.max(at.store!.y, at.notify!.y) + 40)
  expect(overlaps(layout)).toBe(false)
  expect(layout.width).toBeGreaterThanOrEqual(Math.max(...layout.nodes.map((n) => n.x + n.width)))
  expect(layout.height).toBeGreaterThanOrEqual(Math.max(...layout.nodes.map((n) => n.y + n.height)))
})

test('a cycle is laid out (the closing edge is ignored for columns) and the result is deterministic', () => {
  const nodes = [node('a'), node('b'), node('c')]
  const edges = [
    { from: 'a', to: 'b' },
    { from: 'b', to: 'c' },
    { from: 'c', to: 'a' },
    { from: 'a', to: 'a' },
    { from: 'a', to: 'missing' },
  ]
  const layout = layered(nodes, edges)
  expect(columns(layout)).toEqual({ a: 0, b: 1, c: 2 })
  expect(layered(nodes, edges)).toEqual(layout)
})

test('crossings are reduced: children follow the order of their parents', () => {
  const layout = layered(
    [node('p1'), node('p2'), node('c2'), node('c1')],
    [
      { from: 'p1', to: 'c1' },
      { from: 'p2', to: 'c2' },
    ],
  )
  const y = Object.fromEntries(layout.nodes.map((n) => [n.id, n.y]))
  expect(y.c1! < y.c2!).toBe(y.p1! < y.p2!)
})

test('no nodes: an empty canvas', () => {
  expect(layered([], [])).toEqual({ nodes: [], width: 24, height: 24 })
})
