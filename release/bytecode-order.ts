/**
 * Records the profile build.ts lays the CLI's bytecode out by (Bun's `bytecodeOrder`): builds
 * dist/motia, starts it with `BUN_BYTECODE_ORDER_OUT` on a one-step hello project, asks `/hello`
 * once, idles 3 s and stops it (SIGTERM); Bun writes the functions the run used as it exits.
 *   bun release/bytecode-order.ts
 * A profile from an older build still applies (functions it does not know are laid out after
 * the ones it names), so it is recorded again when start-up changes much, not at every build.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BYTECODE_ORDER, buildBinary } from '../build'

const ROOT = join(import.meta.dir, '..')
const IDLE_MS = 3000

const binary = await buildBinary(join(ROOT, 'dist', 'motia'))
const dir = mkdtempSync(join(tmpdir(), 'motia-bytecode-order-'))
try {
  mkdirSync(join(dir, 'steps'))
  writeFileSync(
    join(dir, 'steps', 'hello.step.ts'),
    `export const config = { name: 'Hello', triggers: [{ type: 'http', method: 'GET', path: '/hello' }] }\n` +
      `export const handler = async () => ({ status: 200, body: { message: 'Hello' } })\n`,
  )
  writeFileSync(join(dir, 'config.yaml'), 'logging:\n  format: json\nstreams:\n  port: 0\nconsole:\n  port: 0\n')
  const proc = Bun.spawn([binary, 'start', '--dir', dir, '--port', '0', '--host', '127.0.0.1'], {
    env: { ...process.env, BUN_BYTECODE_ORDER_OUT: join(ROOT, BYTECODE_ORDER) },
    stdout: 'pipe',
    stderr: 'inherit',
  })
  const url = await readyUrl(proc.stdout)
  const res = await fetch(`${url}/hello`)
  if (res.status !== 200) throw new Error(`GET /hello answered ${res.status}`)
  // What an idle server runs too (the console's and metrics' samplers, the checkpointer's watch).
  await Bun.sleep(IDLE_MS)
  proc.kill('SIGTERM')
  if ((await proc.exited) !== 0) throw new Error(`motia start exited with ${proc.exitCode}`)
  console.log(`wrote ${BYTECODE_ORDER} (${statSync(join(ROOT, BYTECODE_ORDER)).size} bytes)`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}

/** The `url` of the "motia start ready" line (JSON logs). */
async function readyUrl(stdout: ReadableStream<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder()
  let text = ''
  for await (const chunk of stdout) {
    text += decoder.decode(chunk, { stream: true })
    for (const line of text.split('\n').slice(0, -1)) {
      if (!line.includes('motia start ready')) continue
      return (JSON.parse(line) as { url: string }).url
    }
  }
  throw new Error(`motia start ended before it was ready:\n${text}`)
}
