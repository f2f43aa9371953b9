import { writeFileSync } from 'node:fs'
import { basename, resolve } from 'node:path'
import { type Command, Option } from 'commander'
import { buildInfo } from '../runtime/build-info'
import { COMPILE_TARGETS, type CompileTarget } from '../runtime/compiled-app/targets'
import { formatProblem, MotiaError } from '../runtime/errors'
import { inspectProject } from '../runtime/inspect'
import { projectManifest } from '../runtime/project-manifest'
import { compileApp } from './compile-app'
import { defaultModules } from './default-modules'

/** `motia build`: validate the project like `start` does and write `motia.lock.json`. */
export function registerBuildCommand(program: Command): void {
  program
    .command('build')
    .description(
      'validate the project (every problem listed) and write motia.lock.json: steps, triggers, topics, flows',
    )
    .option('-d, --dir <dir>', 'project directory', '.')
    .option('-o, --out <file>', 'lock file path (relative to the project)', 'motia.lock.json')
    .option('-c, --compile', 'also produce one executable embedding the runtime and the project')
    .option('--outfile <file>', 'executable path for --compile (default: dist/<project name>)')
    .addOption(
      new Option('--target <target>', 'platform of the --compile executable (default: this one)').choices(
        COMPILE_TARGETS,
      ),
    )
    .addHelpText(
      'after',
      '\nExamples:\n  $ motia build\n  $ motia build --dir my-app --out build/motia.lock.json\n  $ motia build --compile --outfile dist/my-app   # then: ./dist/my-app --port 8080\n  $ motia build --compile --target linux-arm64 --outfile dist/my-app-arm64',
    )
    .action(async (opts: { dir: string; out: string; compile?: boolean; outfile?: string; target?: CompileTarget }) => {
      const dir = resolve(opts.dir)
      const { project, problems, warnings } = await inspectProject({ dir, modules: defaultModules({ listen: false }) })
      for (const w of warnings) process.stderr.write(`warning: ${w}\n`)
      if (problems.length > 0) {
        throw new MotiaError(
          'E_PROJECT_INVALID',
          `the project has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n  ${problems.map(formatProblem).join('\n  ')}`,
        )
      }
      const manifest = projectManifest(project, buildInfo().version)
      const out = resolve(dir, opts.out)
      writeFileSync(out, `${JSON.stringify(manifest, null, 2)}\n`)
      console.log(
        `wrote ${opts.out}: ${manifest.steps.length} steps, ${manifest.streams.length} streams, ${Object.keys(manifest.topics).length} topics, ${Object.keys(manifest.flows).length} flows`,
      )
      if (opts.compile) {
        const started = performance.now()
        const r = await compileApp({
          dir,
          outfile: opts.outfile ?? resolve(dir, 'dist', basename(dir)),
          ...(opts.target ? { target: opts.target } : {}),
        })
        for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`)
        console.log(
          `compiled ${r.outfile}${opts.target ? ` for ${opts.target}` : ''} (${r.files} project files, ${(r.bytes / 1e6).toFixed(0)} MB) in ${Math.round(performance.now() - started)} ms; run it with: ${r.outfile} --port 3111`,
        )
      }
    })
}
