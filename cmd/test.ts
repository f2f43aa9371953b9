import { relative, resolve } from 'node:path'
import type { Command } from 'commander'
import { writeEditorTypes, writeTestRuntime } from './project-tooling'

/**
 * Runs Bun's test runner on the project with `motia`, `motia/testing` and `zod` provided: the
 * binary acts as Bun (`BUN_BE_BUN=1`) and preloads the runtime written to `.motia/runtime/`,
 * which registers those modules (BUN-NOTES.md: "bun test from the binary").
 */
export async function runTests(dir: string, args: readonly string[]): Promise<number> {
  const preload = writeTestRuntime(dir)
  writeEditorTypes(dir)
  const proc = Bun.spawn([process.execPath, 'test', '--preload', `./${relative(dir, preload)}`, ...args], {
    cwd: dir,
    env: { ...process.env, BUN_BE_BUN: '1' },
    stdio: ['inherit', 'inherit', 'inherit'],
  })
  return proc.exited
}

/** `motia test [args...]`: everything after `test` goes to `bun test`. */
export function registerTestCommand(program: Command): void {
  program
    .command('test')
    .description("run the project's tests with Bun's test runner; motia, motia/testing and zod need no node_modules")
    .argument('[args...]', 'passed to bun test (file filters, -t <pattern>, --watch, --coverage, ...)')
    .allowUnknownOption()
    .passThroughOptions()
    .helpOption(false)
    .addHelpText(
      'after',
      '\nExamples:\n  $ motia test\n  $ motia test tests/todos.test.ts\n  $ motia test -t "stores a todo" --bail',
    )
    .action(async (args: string[]) => {
      process.exitCode = await runTests(resolve('.'), args)
    })
}
