import { availableParallelism } from 'node:os'
import { relative, resolve } from 'node:path'
import type { Command } from 'commander'
import { pythonSdkFiles } from '../modules/python/sdk-loader'
import { installPython } from '../modules/python/venv-install'
import { loadConfig } from '../runtime/config/load-config'
import { discoverProject } from '../runtime/discovery'
import { writeProjectTooling } from './project-tooling'

/**
 * `motia install`: what Motia 0.x apps run as their `postinstall`. It prepares the project's
 * Python environment when the project has Python steps; without any there is nothing to do.
 */
export function registerInstallCommand(program: Command): void {
  program
    .command('install')
    .description("prepare the project's Python environment for Python steps (the postinstall of Motia apps)")
    .option('-d, --dir <dir>', 'project directory', '.')
    .option('-v, --verbose', 'print every step (accepted for Motia 0.x scripts)')
    .addHelpText('after', '\nExample:\n  $ motia install            # in package.json: "postinstall": "motia install"')
    .action(async (opts: { dir: string }) => {
      const dir = resolve(opts.dir)
      // Plain `bun test` and editors need motia and zod from .motia/ (no node_modules).
      const { notes } = writeProjectTooling(dir)
      for (const n of notes) console.warn(`motia install: ${n}`)
      const python = discoverProject(dir).python
      if (python.length === 0) {
        console.log('motia install: no Python steps in this project; nothing to install')
        return
      }
      const list = python.map((f) => relative(dir, f)).join(', ')
      console.log(`motia install: ${python.length} Python step file(s): ${list}`)
      // `from motia import ...` for the project's own Python tests (python -m unittest), as at start.
      ;(await pythonSdkFiles()).writeSdk(dir)
      const { config } = await loadConfig({ dir, env: process.env, cpus: availableParallelism() })
      const result = await installPython({
        dir,
        configured: config.python.interpreter,
        env: process.env,
        print: (line) => console.log(`motia install: ${line}`),
      })
      if (result.status === 'failed') {
        console.error(`motia install: ${result.message}`)
        process.exitCode = 1
        return
      }
      console.log(`motia install: ${result.message}`)
    })
}
