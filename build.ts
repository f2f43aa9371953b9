/**
 * Builds `dist/motia`: one executable holding the runtime, the SDK, zod and the worker entry.
 *   bun build.ts [--outfile path] [--no-minify]
 * Worker files are extra entrypoints referred to by their path relative to the project root
 * (BUN-NOTES.md: `new URL(..., import.meta.url)` breaks for nested layouts).
 */
import { parseArgs } from 'node:util'

export const WORKER_ENTRYPOINTS: string[] = ['./modules/queue/pool/worker-entry.ts']

export async function buildBinary(outfile = 'dist/motia', minify = true): Promise<string> {
  const started = performance.now()
  const result = await Bun.build({
    entrypoints: ['./cmd/motia.ts', ...WORKER_ENTRYPOINTS],
    root: '.',
    target: 'bun',
    minify,
    sourcemap: 'inline',
    compile: {
      outfile,
      // The binary runs inside user projects: their bunfig/tsconfig must not change how the
      // runtime itself resolves `motia` and `zod`.
      autoloadBunfig: false,
      autoloadTsconfig: false,
      autoloadPackageJson: false,
    },
  })
  if (!result.success) {
    for (const log of result.logs) console.error(log)
    throw new Error('build failed')
  }
  console.log(`built ${outfile} in ${Math.round(performance.now() - started)} ms`)
  return outfile
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Bun.argv.slice(2),
    options: { outfile: { type: 'string', default: 'dist/motia' }, 'no-minify': { type: 'boolean', default: false } },
  })
  await buildBinary(values.outfile, !values['no-minify'])
}
