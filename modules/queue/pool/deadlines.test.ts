import { expect, test } from 'bun:test'
import { Deadlines, type Timed } from './deadlines'

interface Job extends Timed {
  name: string
}
const job = (name: string): Job => ({ name, due: 0 })

/** Deadlines whose expiries are recorded; `expiries(n)` resolves once n have expired. */
function recorder() {
  const expired: string[] = []
  const waiting: { n: number; wake: () => void }[] = []
  const d = new Deadlines<Job>((j) => {
    expired.push(j.name)
    for (const w of waiting) if (expired.length >= w.n) w.wake()
  })
  const expiries = (n: number) => new Promise<void>((wake) => waiting.push({ n, wake }))
  return { d, expired, expiries }
}

test('entries expire in deadline order on one timer; a cleared one never does', async () => {
  const { d, expired, expiries } = recorder()
  const [a, b, c] = [job('a'), job('b'), job('c')]
  d.set(c, 30)
  d.set(a, 5)
  d.set(b, 15)
  d.clear(a)
  await expiries(2)
  expect(expired).toEqual(['b', 'c'])
})

test('setting an entry again moves its deadline (a job whose import ended gets its handler timeout)', async () => {
  const { d, expired, expiries } = recorder()
  const [loading, other] = [job('loading'), job('other')]
  d.set(loading, 5)
  d.set(other, 20)
  d.set(loading, 60)
  await expiries(2)
  // At its first deadline it would have gone first.
  expect(expired).toEqual(['other', 'loading'])
})
