import type { Command } from 'commander'
import { buildInfo } from '../runtime/build-info'

/** `motia version [--json]`: version, commit, build date and target of this binary. */
export function printVersion(json: boolean): void {
  const info = buildInfo()
  if (json) {
    process.stdout.write(`${JSON.stringify(info)}\n`)
    return
  }
  const lines = [
    `motia ${info.version}`,
    `commit  ${info.commit ?? 'unknown'}`,
    `built   ${info.date ?? 'from source'}`,
    `target  ${info.target}`,
    `bun     ${Bun.version}`,
  ]
  process.stdout.write(`${lines.join('\n')}\n`)
}

export function registerVersionCommand(program: Command): void {
  program
    .command('version')
    .description('print the version, commit, build date and target of this binary (--version: the version alone)')
    .option('--json', 'one JSON object: { version, commit, date, target }')
    .addHelpText('after', '\nExamples:\n  $ motia version\n  $ motia version --json\n  $ motia --version --json')
    .action((opts: { json?: boolean }) => printVersion(opts.json === true))
}
