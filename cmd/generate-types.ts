import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import type { Command } from 'commander'
import { defaultModules } from '../modules/default-modules'
import { formatProblem } from '../runtime/errors'
import { inspectProject } from '../runtime/inspect'
import { writeTypesIfChanged } from '../runtime/type-gen'

const ASSETS = 'dist/.motia-assets'

/**
 * What `build-assets.ts` produced: embedded in the binary (a directory asset lands under its
 * own name at the root of the embedded file system), or in dist/ when running from source.
 */
export function cliAssets(): string {
  const candidates = [join('/$bunfs/root', basename(ASSETS)), resolve(import.meta.dir, '..', ASSETS)]
  const found = candidates.find((c) => existsSync(join(c, 'templates.json')))
  if (!found) {
    throw new Error('templates and SDK types are missing: run `bun run build` first, or use the compiled motia binary')
  }
  return found
}

/** Writes each file unless it already holds that content; returns how many were written. */
export function writeFiles(root: string, files: Record<string, string | Uint8Array>): number {
  let written = 0
  for (const [rel, content] of Object.entries(files)) {
    const file = join(root, rel)
    if (existsSync(file) && Buffer.from(readFileSync(file)).equals(Buffer.from(content))) continue
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, content)
    written++
  }
  return written
}

/**
 * `.motia/types/`: declarations of `motia`, `motia/testing`, `zod` and `bun:test`, which the
 * project's tsconfig.json maps to, so editors type a project that has no node_modules.
 */
export function writeEditorTypes(dir: string): void {
  const types = JSON.parse(readFileSync(join(cliAssets(), 'types.json'), 'utf8')) as Record<string, string>
  writeFiles(join(dir, '.motia', 'types'), types)
}

/** Loads the project like `start` and writes its types.d.ts; steps that fail to load are left out. */
export async function writeTypesFile(dir: string): Promise<{ written: boolean; problems: string[] }> {
  const { project, problems } = await inspectProject({ dir, modules: defaultModules({ listen: false }) })
  return { written: writeTypesIfChanged(dir, project), problems: problems.map(formatProblem) }
}

/** `motia generate-types`: types.d.ts at the project root, and the SDK declarations editors use. */
export function registerGenerateTypesCommand(program: Command): void {
  program
    .command('generate-types')
    .description("write types.d.ts: Handlers['StepName'] for every step, typed ctx.streams, SDK declarations")
    .option('-d, --dir <dir>', 'project directory', '.')
    .addHelpText('after', '\nExamples:\n  $ motia generate-types\n  $ motia generate-types --dir my-app')
    .action(async (opts: { dir: string }) => {
      const dir = resolve(opts.dir)
      writeEditorTypes(dir)
      const { written, problems } = await writeTypesFile(dir)
      for (const p of problems) process.stderr.write(`warning: left out: ${p}\n`)
      console.log(written ? 'wrote types.d.ts' : 'types.d.ts is up to date')
    })
}
