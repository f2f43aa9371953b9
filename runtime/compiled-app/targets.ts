/**
 * Platforms `motia build --compile --target` builds for: Bun's own compile targets. The app's
 * runtime is plain JavaScript (dist/.app-runtime); Bun joins it to that platform's Bun
 * executable, which it fetches from the npm registry the first time.
 */
export const COMPILE_TARGETS = [
  'linux-x64',
  'linux-x64-baseline',
  'linux-x64-musl',
  'linux-arm64',
  'linux-arm64-musl',
  'darwin-x64',
  'darwin-arm64',
  'windows-x64',
] as const

export type CompileTarget = (typeof COMPILE_TARGETS)[number]

/** Bun's name for a target: `bun-linux-arm64`. */
export function bunTarget(target: CompileTarget): string {
  return `bun-${target}`
}

/** Bun adds `.exe` to a Windows executable's name when it lacks it. */
export function executableName(outfile: string, target: CompileTarget | undefined): string {
  return target?.startsWith('windows-') && !outfile.toLowerCase().endsWith('.exe') ? `${outfile}.exe` : outfile
}
