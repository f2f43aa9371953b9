import { expect, test } from 'bun:test'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { declarationFiles } from '../../build-assets'

const ROOT = join(import.meta.dir, '..', '..')
const FIXTURES = join(import.meta.dir, 'fixtures')

/**
 * Type-level tests: the fixtures hold handlers typed by `Handlers<typeof config>` (1.x) and by
 * `Handlers['StepName']` with a generated types.d.ts (0.x), each with `@ts-expect-error` lines,
 * which tsc reports as unused if they stop failing. They are checked against the declaration
 * files the binary writes to a project's .motia/types, with a tsconfig like `motia create`'s:
 * what an editor sees in a project without node_modules. (test/types/tsconfig.json checks the
 * same fixtures against the SDK sources, for editing them.)
 */
test('tsc accepts the typed handlers and rejects every @ts-expect-error case', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'motia-types-'))
  try {
    for (const [rel, text] of Object.entries(await declarationFiles())) {
      mkdirSync(dirname(join(tmp, 'types', rel)), { recursive: true })
      writeFileSync(join(tmp, 'types', rel), text)
    }
    const types = join(tmp, 'types')
    const tsconfig = {
      compilerOptions: {
        target: 'ESNext',
        module: 'Preserve',
        moduleResolution: 'bundler',
        lib: ['ESNext', 'DOM'],
        strict: true,
        noUncheckedIndexedAccess: true,
        skipLibCheck: true,
        noEmit: true,
        types: [],
        paths: {
          motia: [join(types, 'motia/index.d.ts')],
          'motia/testing': [join(types, 'motia/testing.d.ts')],
          zod: [join(types, 'zod/index.d.ts')],
          // A project's own zod 3 (and its `zod3/v4`), as test/types/fixtures/triggers/zod3.ts imports it.
          zod3: [join(ROOT, 'node_modules/zod3/index.d.ts')],
          'zod3/v4': [join(ROOT, 'node_modules/zod3/v4/index.d.ts')],
        },
      },
      include: [FIXTURES, join(types, 'bun/test.d.ts')],
    }
    writeFileSync(join(tmp, 'tsconfig.json'), JSON.stringify(tsconfig))
    const tsc = (...args: string[]) =>
      Bun.spawn([join(ROOT, 'node_modules/.bin/tsc'), '-p', join(tmp, 'tsconfig.json'), ...args], {
        cwd: tmp,
        stdout: 'pipe',
        stderr: 'pipe',
      })
    // The check covers the fixtures (an include that matched nothing would pass vacuously).
    const files = await new Response(tsc('--listFilesOnly').stdout).text()
    for (const f of [
      'legacy/types.d.ts',
      'legacy/steps/create-order.step.ts',
      'triggers/inference.ts',
      'triggers/zod3.ts',
    ])
      expect(files).toContain(join(FIXTURES, f))
    expect(files).not.toContain(join(ROOT, 'sdk'))

    const proc = tsc()
    const [out, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited])
    expect(out).toBe('')
    expect(code).toBe(0)
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
  // Two tsc runs: over bun's 5 s default on a busy machine (bun 1.4 ignores bunfig's `timeout`).
}, 60_000)
