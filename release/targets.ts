import { COMPILE_TARGETS, type CompileTarget } from '../runtime/compiled-app/targets'

/**
 * Every platform a release ships: Bun's `bun-<name>` compile targets. `baseline`: x64 CPUs without
 * AVX2 (the plain x64 builds need it); `musl`: Alpine and other musl-libc Linux.
 * install.sh, install.ps1 and the npm launcher choose among these names.
 */
export interface ReleaseTarget {
  name: CompileTarget
  os: 'linux' | 'darwin' | 'win32'
  cpu: 'x64' | 'arm64'
  libc?: 'glibc' | 'musl'
}

/** What npm's `os`/`cpu`/`libc` fields and the installers call each of `build --compile`'s targets. */
const PLATFORMS: Record<CompileTarget, Omit<ReleaseTarget, 'name'>> = {
  'linux-x64': { os: 'linux', cpu: 'x64', libc: 'glibc' },
  'linux-x64-baseline': { os: 'linux', cpu: 'x64', libc: 'glibc' },
  'linux-x64-musl': { os: 'linux', cpu: 'x64', libc: 'musl' },
  'linux-arm64': { os: 'linux', cpu: 'arm64', libc: 'glibc' },
  'linux-arm64-musl': { os: 'linux', cpu: 'arm64', libc: 'musl' },
  'darwin-x64': { os: 'darwin', cpu: 'x64' },
  'darwin-arm64': { os: 'darwin', cpu: 'arm64' },
  'windows-x64': { os: 'win32', cpu: 'x64' },
}

export const TARGETS: readonly ReleaseTarget[] = COMPILE_TARGETS.map((name) => ({ name, ...PLATFORMS[name] }))

export function executableName(t: ReleaseTarget): string {
  return t.os === 'win32' ? 'motia.exe' : 'motia'
}

/** `motia-0.1.0-linux-x64.tar.gz`; Windows gets a .zip. */
export function archiveName(version: string, t: ReleaseTarget): string {
  return `motia-${version}-${t.name}${t.os === 'win32' ? '.zip' : '.tar.gz'}`
}

export function findTarget(name: string): ReleaseTarget {
  const t = TARGETS.find((x) => x.name === name)
  if (!t) throw new Error(`no release target "${name}" (targets: ${TARGETS.map((x) => x.name).join(', ')})`)
  return t
}
