import { LoopDelay } from './loop-delay'
import type { MetricRegistry } from './registry'

/**
 * The process's own figures, read when metrics are collected: resident memory, JS heap, CPU
 * time and event-loop delay (loop-delay.ts; the figures cover the time since the last
 * collection). Returns the sampler's stop.
 */
export function processMetrics(registry: MetricRegistry): () => void {
  const rss = registry.gauge('process.memory.usage', { unit: 'By', description: 'Resident set size of the process.' })
  const heap = registry.gauge('motia.process.heap.used', { unit: 'By', description: 'JavaScript heap in use.' })
  const cpu = registry.counter('process.cpu.time', { unit: 's', description: 'CPU time used, by mode.' })
  const delayMax = registry.gauge('motia.eventloop.delay.max', {
    unit: 's',
    description: 'Longest event-loop delay of the engine thread since the previous collection.',
  })
  const delayP99 = registry.gauge('motia.eventloop.delay.p99', {
    unit: 's',
    description: '99th percentile of event-loop delay since the previous collection.',
  })
  const user = cpu.with({ 'cpu.mode': 'user' })
  const system = cpu.with({ 'cpu.mode': 'system' })
  const rssSeries = rss.with()
  const heapSeries = heap.with()
  const maxSeries = delayMax.with()
  const p99Series = delayP99.with()
  const loop = new LoopDelay()
  const off = registry.onCollect(() => {
    const mem = process.memoryUsage()
    rssSeries.set(mem.rss)
    heapSeries.set(mem.heapUsed)
    const c = process.cpuUsage()
    user.value = c.user / 1e6
    system.value = c.system / 1e6
    maxSeries.set(loop.maxNs / 1e9)
    p99Series.set(loop.p99Ns / 1e9)
    loop.reset()
  })
  return () => {
    off()
    loop.stop()
  }
}
