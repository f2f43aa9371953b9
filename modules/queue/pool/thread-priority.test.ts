import { afterEach, describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { setThreadPriority, type ThreadPriority } from './thread-priority'

const SCHED_OTHER = 0
const SCHED_IDLE = 5

/** Scheduling policy and nice value of one thread of this process, from /proc. */
function schedOf(tid: number): { policy: number; nice: number } {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // Fields from the 3rd (state): nice is the 19th field, policy the 41st.
  return { nice: Number(f[16]), policy: Number(f[38]) }
}

let worker: Worker | undefined
afterEach(() => worker?.terminate())

async function inWorker(wanted: ThreadPriority): Promise<{ got: ThreadPriority; tid: number }> {
  worker = new Worker(join(import.meta.dir, '../../../test/fixtures/priority-worker.ts'))
  const reply = new Promise<{ got: ThreadPriority; tid: number }>((resolve) => {
    worker!.onmessage = (e) => resolve(e.data)
  })
  worker.postMessage(wanted)
  return reply
}

describe.if(process.platform === 'linux')('worker thread priority', () => {
  test('idle puts only the worker thread in the SCHED_IDLE class', async () => {
    const { got, tid } = await inWorker('idle')
    expect(got).toBe('idle')
    expect(schedOf(tid).policy).toBe(SCHED_IDLE)
    expect(schedOf(process.pid).policy).toBe(SCHED_OTHER)
  })

  test('low lowers only the worker thread to nice 19', async () => {
    const { got, tid } = await inWorker('low')
    expect(got).toBe('low')
    expect(schedOf(tid)).toEqual({ policy: SCHED_OTHER, nice: 19 })
    expect(schedOf(process.pid).nice).toBe(0)
  })

  test('normal leaves the worker as it is', async () => {
    const { got, tid } = await inWorker('normal')
    expect(got).toBe('normal')
    expect(schedOf(tid)).toEqual({ policy: SCHED_OTHER, nice: 0 })
  })

  test('the engine thread never lowers itself', () => {
    expect(setThreadPriority('idle')).toBe('normal')
    expect(schedOf(process.pid)).toEqual({ policy: SCHED_OTHER, nice: 0 })
  })
})
