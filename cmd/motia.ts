#!/usr/bin/env bun
import { Command, InvalidArgumentError } from 'commander'
import { buildInfo } from '../runtime/build-info'
import { embeddedApp } from '../runtime/compiled-app/embedded-app'
import { MotiaError } from '../runtime/errors'
import { registerBuildCommand } from './build'
import { registerBuiltins } from './builtins'
import { registerCreateCommand } from './create'
import { registerEmitCommand } from './emit'
import { registerGenerateTypesCommand } from './generate-types'
import { registerInstallCommand } from './install'
import { registerQueueCommands } from './queue'
import { runServer } from './serve'
import { registerTestCommand } from './test'
import { printVersion, registerVersionCommand } from './version'

registerBuiltins()

// An app built with `motia build --compile` carries its project: `./app` alone means `start`.
const app = (() => {
  try {
    return embeddedApp()
  } catch (err) {
    if (!(err instanceof MotiaError)) throw err
    process.stderr.write(`motia: ${err.code}: ${err.message}\n`)
    process.exit(1)
  }
})()
if (app) {
  const first = process.argv[2]
  if (first === undefined || first.startsWith('-')) process.argv.splice(2, 0, 'start')
}

// `--version --json` is `motia version --json` (commander's --version prints the version alone).
const flags = process.argv.slice(2)
if (flags.includes('--json') && flags.some((f) => f === '--version' || f === '-v')) {
  printVersion(true)
  process.exit(0)
}

function port(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('expected a port number (0-65535; 0 picks a free port)')
  return n
}

const program = new Command()
program
  .name('motia')
  .description(
    'Backend runtime in one executable: HTTP, queues, cron, state and streams around one primitive, the Step.',
  )
  .version(buildInfo().version, '-v, --version')
  .showHelpAfterError()
  .enablePositionalOptions()
  .addHelpText(
    'after',
    `
Examples:
  $ motia dev                       serve ./steps and ./src with instant reload on :3111
  $ motia dev --dir my-app --port 0 pick a free port, print the address
  $ motia start --host 127.0.0.1    production mode: refuses to start on any load error
  $ motia create my-app -t todo     new project from a template (motia create --list)
  $ motia test                      run the project's tests (bun test, no node_modules)
  $ motia generate-types            write types.d.ts (Handlers['StepName'], typed streams)
  $ motia emit --topic t --data '{}' enqueue into the server running on :3111
  $ motia install                   prepare Python steps' environment (Motia apps' postinstall)
  $ motia build --compile           validate, write motia.lock.json, build one executable
  $ motia queue dlq                 list dead letters
  $ motia version --json            version, commit, build date and target
  $ motia <command> --help          every option of a command, with examples`,
  )

for (const mode of ['dev', 'start'] as const) {
  program
    .command(mode)
    .description(
      mode === 'dev'
        ? 'run the project for development: load errors are reported and the rest is served'
        : 'run the project in production: any load error stops start-up, listing every problem',
    )
    .option('-d, --dir <dir>', 'project directory', app ?? '.')
    .option('-p, --port <port>', 'HTTP port (default 3111; 0 picks a free port)', port)
    .option('-H, --host <host>', 'host to bind (default 0.0.0.0)')
    .addHelpText('after', `\nExample:\n  $ motia ${mode} --dir . --port 3111`)
    .action((opts: { dir: string; port?: number; host?: string }) =>
      runServer(mode, app && opts.dir === app ? { ...opts, dataRoot: process.cwd() } : opts),
    )
}

registerQueueCommands(program)
registerBuildCommand(program)
registerCreateCommand(program)
registerTestCommand(program)
registerGenerateTypesCommand(program)
registerEmitCommand(program)
registerInstallCommand(program)
registerVersionCommand(program)

try {
  await program.parseAsync(process.argv)
} catch (err) {
  process.stderr.write(`motia: ${(err as Error).message}\n`)
  process.exit(1)
}
