/**
 * Copies iii's Node SDK test suite (with the SDK source it imports, its config and licence) from a
 * pinned commit of MotiaDev/motia into test/iii-sdk/suite/. Nothing else in the suite is edited:
 * what runs is what iii runs.
 *
 *   git clone https://github.com/MotiaDev/motia /path/to/motia
 *   bun test/iii-sdk/sync.ts /path/to/motia [commit]
 *
 * With another commit, update PINNED_COMMIT below and the README.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

export const PINNED_COMMIT = '9fd264412bcd668a41c6c492825ba8f9be4d8495'
const PACKAGE = 'sdk/packages/node/iii'
/** Repository path → path under suite/. */
const FILES: [from: string, to: string][] = [
  ['sdk/LICENSE', 'LICENSE'],
  ['sdk/fixtures/config-test.yaml', 'config-test.yaml'],
  ['sdk/fixtures/config-bridge.yaml', 'config-bridge.yaml'],
  [`${PACKAGE}/package.json`, 'package.json'],
  [`${PACKAGE}/tsconfig.json`, 'tsconfig.json'],
  [`${PACKAGE}/vitest.config.ts`, 'vitest.config.ts'],
]
const TREES = [`${PACKAGE}/src`, `${PACKAGE}/tests`]

const SUITE = join(import.meta.dir, 'suite')

function git(gitDir: string, args: string[]): Buffer {
  const r = Bun.spawnSync(['git', '--git-dir', gitDir, ...args], { stdout: 'pipe', stderr: 'pipe' })
  if (r.exitCode !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr.toString()}`)
  return r.stdout
}

function resolveGitDir(path: string): string {
  const r = Bun.spawnSync(['git', '-C', path, 'rev-parse', '--git-dir'], { stdout: 'pipe', stderr: 'pipe' })
  if (r.exitCode === 0) return join(path, r.stdout.toString().trim()).replace(/^(.*)\/\/(.*)$/, '/$2')
  return path
}

if (import.meta.main) {
  const [source, commit = PINNED_COMMIT] = process.argv.slice(2)
  if (!source) {
    console.error('usage: bun test/iii-sdk/sync.ts <clone of MotiaDev/motia> [commit]')
    process.exit(2)
  }
  const gitDir = source.endsWith('.git') || source.endsWith('/repo') ? source : resolveGitDir(source)
  const files = [...FILES]
  for (const tree of TREES) {
    for (const path of git(gitDir, ['ls-tree', '-r', '--name-only', commit, tree]).toString().trim().split('\n')) {
      files.push([path, path.slice(PACKAGE.length + 1)])
    }
  }
  rmSync(SUITE, { recursive: true, force: true })
  for (const [from, to] of files) {
    const dest = join(SUITE, to)
    mkdirSync(dirname(dest), { recursive: true })
    writeFileSync(dest, git(gitDir, ['show', `${commit}:${from}`]))
  }
  console.log(`copied ${files.length} files from MotiaDev/motia@${commit} into ${SUITE}`)
}
