/**
 * `npm run release`: the motia binary for every target, in dist/release/ (docs/release.md).
 *   bun release/release.ts [--targets linux-x64,darwin-arm64] [--outdir dist/release]
 * The assets (the bundled runtime, the CLI assets, their packs) are built once; each target is
 * then one `bun build --compile` (Bun fetches that target's runtime from npm once, then caches it).
 *   motia-<version>-<target>.tar.gz / .zip   the executable alone, at the archive's root
 *   SHA256SUMS                                `sha256sum -c` format
 *   manifest.json                             version, commit, date, and per target: archive, sha256, sizes
 *   npm/                                      the npm packages (release/npm-packages.ts)
 */
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { buildIdentity, compileBinary, prepareAssets } from '../build'
import { tarGz, zip } from './archive'
import { writeNpmPackages } from './npm-packages'
import { archiveName, executableName, findTarget, type ReleaseTarget, TARGETS } from './targets'

const ROOT = resolve(import.meta.dir, '..')

export interface ReleasedTarget {
  target: string
  os: ReleaseTarget['os']
  cpu: ReleaseTarget['cpu']
  libc: ReleaseTarget['libc'] | null
  archive: string
  sha256: string
  archiveSize: number
  binarySize: number
  /** An empty file compiled for the same target: Bun's runtime as every executable carries it. */
  bunBaselineSize: number | null
}

export interface ReleaseManifest {
  name: 'motia'
  version: string
  commit: string | null
  date: string
  bun: string
  targets: ReleasedTarget[]
}

async function compileEmpty(dir: string, t: ReleaseTarget): Promise<number> {
  const entry = join(dir, 'empty.js')
  writeFileSync(entry, '')
  const outfile = join(dir, `empty-${executableName(t)}`)
  const r = await Bun.build({ entrypoints: [entry], compile: { target: `bun-${t.name}`, outfile } } as Bun.BuildConfig)
  if (!r.success) throw new Error(`compiling an empty file for ${t.name} failed: ${r.logs.join('\n')}`)
  return statSync(outfile).size
}

export async function release(opts: {
  outdir: string
  targets: readonly ReleaseTarget[]
  /** Compile an empty file per target to report what motia adds to Bun (default true; tests skip it). */
  bunBaseline?: boolean
}): Promise<ReleaseManifest> {
  const outdir = resolve(opts.outdir)
  const cwd = process.cwd()
  process.chdir(ROOT)
  try {
    const identity = buildIdentity()
    const date = new Date(identity.date!)
    const packs = await prepareAssets({ minify: true, identity, packLevel: 19 })
    rmSync(outdir, { recursive: true, force: true })
    const work = join(outdir, '.work')
    const compile = async (t: ReleaseTarget) => {
      const dir = join(work, t.name)
      mkdirSync(dir, { recursive: true })
      const file = join(dir, executableName(t))
      await compileBinary({
        outfile: file,
        minify: true,
        info: { ...identity, target: t.name },
        packs,
        bunTarget: t.name,
      })
      return { file, bunBaselineSize: opts.bunBaseline === false ? null : await compileEmpty(dir, t) }
    }
    const released: ReleasedTarget[] = []
    const binaries: { target: ReleaseTarget; file: string }[] = []
    // The next target compiles (Bun's own threads) while this one is compressed.
    let next = compile(opts.targets[0]!)
    for (const [i, t] of opts.targets.entries()) {
      const { file, bunBaselineSize } = await next
      if (i + 1 < opts.targets.length) next = compile(opts.targets[i + 1]!)
      const bytes = readFileSync(file)
      const archive = archiveName(identity.version, t)
      const packed = t.os === 'win32' ? zip(executableName(t), bytes, date) : tarGz(executableName(t), bytes, date)
      writeFileSync(join(outdir, archive), packed)
      released.push({
        target: t.name,
        os: t.os,
        cpu: t.cpu,
        libc: t.libc ?? null,
        archive,
        sha256: createHash('sha256').update(packed).digest('hex'),
        archiveSize: packed.length,
        binarySize: bytes.length,
        bunBaselineSize,
      })
      binaries.push({ target: t, file })
      const bun =
        bunBaselineSize === null ? '' : ` (Bun alone ${mb(bunBaselineSize)}, +${mb(bytes.length - bunBaselineSize)})`
      console.log(`${t.name.padEnd(20)} binary ${mb(bytes.length)}${bun}  ${archive} ${mb(packed.length)}`)
    }
    writeFileSync(join(outdir, 'SHA256SUMS'), released.map((r) => `${r.sha256}  ${r.archive}\n`).join(''))
    const manifest: ReleaseManifest = {
      name: 'motia',
      version: identity.version,
      commit: identity.commit,
      date: identity.date!,
      bun: Bun.version,
      targets: released,
    }
    writeFileSync(join(outdir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`)
    writeNpmPackages({ outdir: join(outdir, 'npm'), version: identity.version, binaries })
    rmSync(work, { recursive: true, force: true })
    return manifest
  } finally {
    process.chdir(cwd)
  }
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Bun.argv.slice(2),
    options: {
      outdir: { type: 'string', default: join(ROOT, 'dist', 'release') },
      targets: { type: 'string' },
    },
  })
  const targets = values.targets ? values.targets.split(',').map((n) => findTarget(n.trim())) : TARGETS
  const started = performance.now()
  const m = await release({ outdir: values.outdir, targets })
  console.log(
    `motia ${m.version} (${m.commit ?? 'no commit'}): ${m.targets.length} targets in ${values.outdir}, ${Math.round((performance.now() - started) / 1000)} s`,
  )
}
