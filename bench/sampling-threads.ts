/**
 * Where tracing's cost lands, thread by thread: the sampling A/B of bench/http.ts (sampling 0.1,
 * or MOTIA_BENCH_SAMPLING_RATIO, against `observability.enabled: false`) in alternating fresh
 * pairs of `motia start`, each measured window read from /proc/<pid>/task/<tid>/stat (10 ms
 * ticks). Prints every window (req/s, main thread µs a request) and the medians by thread
 * name, so a slow process shows as itself rather than inside a median. `--gc`: the servers run
 * with JSC's GC log (BUN_JSC_logGC=1), and each window prints the engine heap's collections and
 * KB marked per 1,000 requests (what requests leave alive past a young collection).
 *   bun bench/sampling-threads.ts [--rounds 10] [--seconds 5] [--warmup 5] [--max-traces N] [--gc] [--no-build]
 */
import { appendFileSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { binary, fmt, gcSummary, median, samplingProjects, spawnServer, threadTicks, wrk } from './support'

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    rounds: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '5' },
    'max-traces': { type: 'string' },
    gc: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
  },
})
const seconds = Number(values.seconds)
const bin = await binary()

const { sampled, off, remove } = samplingProjects()
if (values['max-traces']) appendFileSync(join(sampled, 'config.yaml'), `  maxTraces: ${values['max-traces']}\n`)
const perThread = { sampled: new Map<string, number[]>(), off: new Map<string, number[]>() }
try {
  for (let round = 0; round < Number(values.rounds); round++) {
    const sides = [['sampled', sampled] as const, ['off', off] as const]
    for (const [side, dir] of round % 2 ? sides.reverse() : sides) {
      const log = values.gc ? join(tmpdir(), `motia-sampling-gc-${process.pid}.log`) : undefined
      const server = await spawnServer(
        [bin, 'start', '--dir', dir, '--port', '0', '--host', '127.0.0.1'],
        log ? { BUN_JSC_logGC: '1' } : {},
        log,
      )
      try {
        await wrk(`${server.url}/hello`, { seconds: Number(values.warmup) })
        const logFrom = log ? statSync(log).size : 0
        const before = threadTicks(server.proc.pid)
        const w = await wrk(`${server.url}/hello`, { seconds })
        const after = threadTicks(server.proc.pid)
        const requests = w.rps * seconds
        const gc = log ? gcSummary(readFileSync(log, 'utf8').slice(logFrom)) : undefined
        // A tick is 10 ms: 1e4 µs.
        const usPerRequest = (name: string) => (((after.get(name) ?? 0) - (before.get(name) ?? 0)) * 1e4) / requests
        for (const name of after.keys()) {
          const xs = perThread[side].get(name) ?? []
          xs.push(usPerRequest(name))
          perThread[side].set(name, xs)
        }
        const gcText = gc
          ? `   GC: ${gc.eden} young, ${gc.full} full, ${fmt((gc.markedMb * 1024 * 1000) / requests, 1)} KB marked per 1k requests`
          : ''
        console.log(
          `  ${side.padEnd(8)} ${fmt(w.rps).padStart(7)} req/s   main thread ${fmt(usPerRequest('motia'), 2)} µs a request${gcText}`,
        )
      } finally {
        await server.stop()
        if (log) rmSync(log, { force: true })
      }
    }
  }
  console.log(
    `Median CPU µs a request by thread (sampling ${process.env.MOTIA_BENCH_SAMPLING_RATIO ?? 0.1} vs tracing off)`,
  )
  for (const name of new Set([...perThread.sampled.keys(), ...perThread.off.keys()])) {
    const m = (side: 'sampled' | 'off') => fmt(median(perThread[side].get(name) ?? [0]), 2)
    console.log(`  ${name.padEnd(14)} ${m('sampled').padStart(6)}  ${m('off').padStart(6)}`)
  }
} finally {
  remove()
}
