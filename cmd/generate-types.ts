import { resolve } from 'node:path'
import type { Command } from 'commander'
import { formatProblem } from '../runtime/errors'
import { inspectProject } from '../runtime/inspect'
import { writeTypesIfChanged } from '../runtime/type-gen'
import { defaultModules } from './default-modules'
import { writeProjectTooling } from './project-tooling'

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
      const { notes } = writeProjectTooling(dir)
      const { written, problems } = await writeTypesFile(dir)
      for (const p of problems) process.stderr.write(`warning: left out: ${p}\n`)
      for (const n of notes) process.stderr.write(`note: ${n}\n`)
      console.log(written ? 'wrote types.d.ts' : 'types.d.ts is up to date')
    })
}
