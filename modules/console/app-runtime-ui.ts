import { cpSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

/**
 * The two-stage build of `motia build --compile` (build.ts, cmd/compile-app.ts): stage 1
 * bundles the runtime to plain JS, stage 2 compiles that JS with a project. Bun turns an HTML
 * import into a manifest of files that a later `--compile` cannot find, so stage 1 keeps the
 * console's page import as written (`external`) and ships the page's sources beside each
 * bundle that imports it, where stage 2 bundles them like any HTML import.
 */
export const CONSOLE_PAGE_IMPORT = './ui/index.html'
/** Bun matches `external` against the import with wildcards (a plain relative path never matches). */
export const CONSOLE_PAGE_EXTERNAL = '*/ui/index.html'

/** Copies the page's sources beside every stage-1 bundle that imports it; throws if none does. */
export function shipConsoleUi(appRuntimeDir: string): void {
  const bundles = (readdirSync(appRuntimeDir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.js'))
    .filter((f) => readFileSync(join(appRuntimeDir, f), 'utf8').includes(`"${CONSOLE_PAGE_IMPORT}"`))
  if (bundles.length === 0) {
    throw new Error(
      `no bundle in ${appRuntimeDir} imports ${CONSOLE_PAGE_IMPORT}: compiled apps would lack the console`,
    )
  }
  for (const f of bundles) {
    cpSync(join(import.meta.dir, 'ui'), join(appRuntimeDir, dirname(f), 'ui'), {
      recursive: true,
      filter: (src) => !src.endsWith('.test.ts'),
    })
  }
}
