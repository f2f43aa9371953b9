/**
 * Sequential POST with a JSON body and a state write, one connection (the latency path of a
 * typical write endpoint): `motia start` on a step validating the body (zod bodySchema) and
 * calling `state.set`, against bare Elysia doing the same with zod and bun:sqlite (WAL,
 * synchronous=NORMAL, as motia's sqlite state adapter), alternating rounds.
 * Goal (issue #25): motia p50 < 120 µs, p99 < 1 ms.
 *   bun bench/post-json.ts [--rounds 5] [--seconds 5] [--no-build]
 */
import { appendFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { abOptions, binary, compareServers, fmt, helloProject, median } from './support'

const o = { ...abOptions(), connections: 1 }
const bin = await binary()
const dir = helloProject(0)
writeFileSync(
  join(dir, 'steps', 'items.step.ts'),
  `import { z } from 'zod'
export const config = {
  name: 'PutItem',
  triggers: [{ type: 'http', method: 'POST', path: '/items/:id', bodySchema: z.object({ name: z.string(), qty: z.number().int() }) }],
}
export const handler = async (req, { state }) => {
  const item = { id: req.pathParams.id, ...req.body }
  await state.set('items', item.id, item)
  return { status: 201, body: item }
}
`,
)
if (process.env.MOTIA_BENCH_EXTRA_CONFIG)
  appendFileSync(join(dir, 'config.yaml'), `${process.env.MOTIA_BENCH_EXTRA_CONFIG}\n`)
const script = join(dir, 'post.lua')
writeFileSync(
  script,
  `counter = 0
wrk.method = "POST"
wrk.body = '{"name":"widget","qty":3}'
wrk.headers["Content-Type"] = "application/json"
request = function()
  counter = counter + 1
  return wrk.format(nil, "/items/" .. (counter % 1000))
end
`,
)
try {
  const [m, e] = await compareServers(
    o,
    '',
    [
      ['motia start', [bin, 'start', '--dir', dir, '--port', '0', '--host', '127.0.0.1']],
      ['bare Elysia', [process.execPath, `${import.meta.dir}/baselines/elysia-post-json.ts`]],
    ],
    script,
  )
  const p = (rs: typeof m, f: 'p50ms' | 'p99ms') => median(rs!.map((r) => r[f])) * 1000
  // A single connection's p99 moves several-fold between rounds on a shared machine: the spread.
  const each = (rs: typeof m) => rs!.map((r) => `${fmt(r.p50ms * 1000)}/${fmt(r.p99ms * 1000)}`).join(' ')
  console.log(`  rounds p50/p99 µs: motia ${each(m)}; Elysia ${each(e)}`)
  console.log(`  motia p50 ${fmt(p(m, 'p50ms'))} µs (goal < 120), p99 ${fmt(p(m, 'p99ms'))} µs (goal < 1,000)`)
  console.log(`  ratio p50 motia/Elysia: ${fmt(p(m, 'p50ms') / p(e, 'p50ms'), 2)}`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
