import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { defaultModules } from '../modules/default-modules'
import pkg from '../package.json' with { type: 'json' }
import { formatProblem, MotiaError } from '../runtime/errors'
import { inspectProject } from '../runtime/inspect'
import { projectManifest } from '../runtime/project-manifest'

/** `motia build`: validate the project like `start` does and write `motia.lock.json`. */
export function registerBuildCommand(program: Command): void {
  program
    .command('build')
    .description(
      'validate the project (every problem listed) and write motia.lock.json: steps, triggers, topics, flows',
    )
    .option('-d, --dir <dir>', 'project directory', '.')
    .option('-o, --out <file>', 'lock file path (relative to the project)', 'motia.lock.json')
    .addHelpText('after', '\nExamples:\n  $ motia build\n  $ motia build --dir my-app --out build/motia.lock.json')
    .action(async (opts: { dir: string; out: string }) => {
      const dir = resolve(opts.dir)
      const { project, problems, warnings } = await inspectProject({ dir, modules: defaultModules({ listen: false }) })
      for (const w of warnings) process.stderr.write(`warning: ${w}\n`)
      if (problems.length > 0) {
        throw new MotiaError(
          'E_PROJECT_INVALID',
          `the project has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n  ${problems.map(formatProblem).join('\n  ')}`,
        )
      }
      const manifest = projectManifest(project, pkg.version)
      const out = resolve(dir, opts.out)
      writeFileSync(out, `${JSON.stringify(manifest, null, 2)}\n`)
      console.log(
        `wrote ${opts.out}: ${manifest.steps.length} steps, ${manifest.streams.length} streams, ${Object.keys(manifest.topics).length} topics, ${Object.keys(manifest.flows).length} flows`,
      )
    })
}
