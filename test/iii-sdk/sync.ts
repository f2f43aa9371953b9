/**
 * Copies iii's Node SDK test suite (with the SDK source it imports, its configs, assets and licence)
 * from a pinned commit of MotiaDev/motia into test/iii-sdk/suite/, at their paths in that repository. Nothing else in the suite is edited:
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
export const PACKAGE = 'sdk/packages/node/iii'
/** Files and trees copied, at their paths in the repository (the tests reach the assets by relative path). */
const FILES = [
  'sdk/LICENSE',
  'sdk/fixtures/config-test.yaml',
  'sdk/fixtures/config-bridge.yaml',
  'sdk/fixtures/config-bridge-backend.yaml',
  `${PACKAGE}/package.json`,
  `${PACKAGE}/tsconfig.json`,
  `${PACKAGE}/vitest.config.ts`,
  'sdk/packages/python/iii/pyproject.toml',
  'sdk/packages/python/iii/README.md',
]
const TREES = [`${PACKAGE}/src`, `${PACKAGE}/tests`, 'sdk/test-assets', 'sdk/packages/python/iii/src']

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
    files.push(...git(gitDir, ['ls-tree', '-r', '--name-only', commit, tree]).toString().trim().split('\n'))
  }
  rmSync(SUITE, { recursive: true, force: true })
  const missing: string[] = []
  for (const path of files.filter(Boolean)) {
    let bytes: Buffer
    try {
      bytes = git(gitDir, ['show', `${commit}:${path}`])
    } catch {
      // A blob the clone does not have (a partial or LFS clone): the tests needing it fail, said in the README.
      missing.push(path)
      continue
    }
    const dest = join(SUITE, path)
    mkdirSync(dirname(dest), { recursive: true })
    writeFileSync(dest, bytes)
  }
  if (missing.length > 0) console.warn(`not in this clone, not copied: ${missing.join(', ')}`)
  console.log(`copied ${files.length} files from MotiaDev/motia@${commit} into ${SUITE}`)
}
