/**
 * The npm distribution, laid out as esbuild, Biome and Bun do: one small launcher package,
 * `motia-bin` (the npm name `motia` is taken), and one package per target, `motia-bin-<target>`,
 * whose `os`/`cpu`/`libc` fields let npm install only the ones this machine can run. The
 * launcher lists them all as optionalDependencies and runs the one that is there
 * (release/npm/launcher.cjs): no download at install time, no postinstall.
 */
import { chmodSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { executableName, type ReleaseTarget } from './targets'

export const NPM_LAUNCHER = 'motia-bin'

export function platformPackageName(t: ReleaseTarget): string {
  return `${NPM_LAUNCHER}-${t.name}`
}

const DESCRIPTION = 'Backend runtime in one executable: HTTP, queues, cron, state and streams around the Step.'

function writeJson(file: string, value: unknown): void {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`)
}

/** Writes `<outdir>/motia-bin/` and `<outdir>/motia-bin-<target>/` for each built target; returns their dirs. */
export function writeNpmPackages(opts: {
  outdir: string
  version: string
  /** Each target with the path of its built executable. */
  binaries: { target: ReleaseTarget; file: string }[]
}): string[] {
  const dirs: string[] = []
  for (const { target, file } of opts.binaries) {
    const name = platformPackageName(target)
    const dir = join(opts.outdir, name)
    mkdirSync(join(dir, 'bin'), { recursive: true })
    const exe = join(dir, 'bin', executableName(target))
    copyFileSync(file, exe)
    chmodSync(exe, 0o755)
    writeJson(join(dir, 'package.json'), {
      name,
      version: opts.version,
      description: `The motia executable for ${target.name}; installed through ${NPM_LAUNCHER}.`,
      os: [target.os],
      cpu: [target.cpu],
      ...(target.libc ? { libc: [target.libc] } : {}),
      files: ['bin'],
      preferUnplugged: true,
    })
    writeFileSync(
      join(dir, 'README.md'),
      `# ${name}\n\nThe \`motia\` executable for ${target.name}. Install \`${NPM_LAUNCHER}\` instead: it depends on this package and runs it.\n`,
    )
    dirs.push(dir)
  }
  const dir = join(opts.outdir, NPM_LAUNCHER)
  mkdirSync(join(dir, 'bin'), { recursive: true })
  copyFileSync(join(import.meta.dir, 'npm', 'launcher.cjs'), join(dir, 'bin', 'motia'))
  chmodSync(join(dir, 'bin', 'motia'), 0o755)
  writeJson(join(dir, 'package.json'), {
    name: NPM_LAUNCHER,
    version: opts.version,
    description: DESCRIPTION,
    bin: { motia: 'bin/motia' },
    files: ['bin'],
    engines: { node: '>=18' },
    optionalDependencies: Object.fromEntries(opts.binaries.map((b) => [platformPackageName(b.target), opts.version])),
  })
  writeFileSync(
    join(dir, 'README.md'),
    `# ${NPM_LAUNCHER}\n\n${DESCRIPTION}\n\n    npm install -g ${NPM_LAUNCHER}    # then: motia --help\n    npx ${NPM_LAUNCHER} create my-app\n\nnpm installs the executable for this platform (one of the \`${NPM_LAUNCHER}-<target>\` packages); nothing is downloaded afterwards.\nA Motia app that lists \`${NPM_LAUNCHER}\` in its dependencies gets \`motia\` for its scripts (\`"postinstall": "motia install"\`).\n`,
  )
  dirs.push(dir)
  return dirs
}
