import { expect, test } from 'bun:test'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { Glob } from 'bun'

const ROOT = join(import.meta.dir, '..')

/** Relative imports of a source file (static, type-only and dynamic), as paths from the repository root. */
function importsOf(file: string): { to: string; typeOnly: boolean }[] {
  const text = readFileSync(join(ROOT, file), 'utf8')
  const out: { to: string; typeOnly: boolean }[] = []
  const pattern = /(?:import|export)\s+(type\s+)?[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g
  for (const m of text.matchAll(pattern)) {
    const base = resolve(dirname(join(ROOT, file)), m[2] ?? m[3]!)
    const path = [`${base}.ts`, join(base, 'index.ts'), base].find((p) => p.endsWith('.ts') && existsSync(p)) ?? base
    out.push({ to: relative(ROOT, path), typeOnly: Boolean(m[1]) })
  }
  return out
}

// runtime/ knows no module: the composition root (cmd/default-modules.ts, cmd/builtins.ts) sits
// above it and hands it what it needs (modules, the `motia/testing` loader).
test('runtime/ imports nothing from modules/, cmd/ or sdk/testing', () => {
  // The one edge left: the engine's `metrics` field is typed by the metrics module's class (type only).
  const allowed = new Set(['runtime/engine.ts -> modules/observability/metrics/runtime-metrics.ts (type)'])
  const found: string[] = []
  for (const file of new Glob('runtime/**/*.ts').scanSync(ROOT)) {
    if (file.endsWith('.test.ts')) continue
    for (const { to, typeOnly } of importsOf(file)) {
      if (!/^(modules\/|cmd\/|sdk\/testing)/.test(to)) continue
      const edge = `${file} -> ${to}${typeOnly ? ' (type)' : ''}`
      if (!allowed.has(edge)) found.push(edge)
    }
  }
  expect(found).toEqual([])
})
