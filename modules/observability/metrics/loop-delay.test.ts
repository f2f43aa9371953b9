import { expect, test } from 'bun:test'
import { LoopDelay } from './loop-delay'

function block(ms: number): void {
  const until = performance.now() + ms
  while (performance.now() < until) {}
}

test('a blocked loop shows in max and p99, and reset clears them', async () => {
  const loop = new LoopDelay()
  try {
    await Bun.sleep(20)
    block(60)
    await Bun.sleep(20)
    expect(loop.maxNs / 1e6).toBeGreaterThan(40)
    expect(loop.p99Ns / 1e6).toBeGreaterThan(40)
    loop.reset()
    expect([loop.maxNs, loop.p99Ns]).toEqual([0, 0])
  } finally {
    loop.stop()
  }
})

test('one sampler stopping leaves another sampling (Bun shares one monitor between them)', async () => {
  const kept = new LoopDelay()
  const stopped = new LoopDelay()
  try {
    stopped.stop()
    await Bun.sleep(20)
    block(60)
    await Bun.sleep(20)
    expect(kept.maxNs / 1e6).toBeGreaterThan(40)
  } finally {
    kept.stop()
  }
})

test('the sampler stops while the process is idle and starts again when it works', () => {
  let cpu = 0
  const loop = new LoopDelay(() => cpu)
  try {
    expect(loop.sampling).toBe(true)
    block(20)
    loop.govern() // no CPU used since the start
    expect(loop.sampling).toBe(false)
    cpu += 20_000 // 20 ms of CPU in ~20 ms: busy
    block(20)
    loop.govern()
    expect(loop.sampling).toBe(true)
  } finally {
    loop.stop()
  }
})

test('while the sampler is off, a long block still counts toward max (the governor runs late)', () => {
  const loop = new LoopDelay(() => 0)
  try {
    loop.govern()
    expect(loop.sampling).toBe(false)
    block(1100) // the governor's second plus 100 ms
    loop.govern()
    expect(loop.maxNs / 1e6).toBeGreaterThan(90)
  } finally {
    loop.stop()
  }
})
