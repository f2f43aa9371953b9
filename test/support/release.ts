import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { release } from '../../release/release'
import { TARGETS } from '../../release/targets'

const ROOT = join(import.meta.dir, '..', '..')

/**
 * A release of every target (release/release.ts), built once per test process into
 * dist/release-test (a few minutes: eight cross-compiles). `MOTIA_TEST_RELEASE` points the tests
 * at a release already built (`npm run release -- --outdir ...`).
 */
let built: Promise<string> | undefined
export function ensureRelease(): Promise<string> {
  built ??= (async () => {
    const given = process.env.MOTIA_TEST_RELEASE
    if (given) {
      if (!existsSync(join(given, 'manifest.json')))
        throw new Error(`MOTIA_TEST_RELEASE=${given} holds no manifest.json`)
      return given
    }
    const outdir = join(ROOT, 'dist', 'release-test')
    await release({ outdir, targets: TARGETS, bunBaseline: false })
    return outdir
  })()
  return built
}

/** A loopback server laid out like a release page: /latest/download/<file>, /download/v<version>/<file>. */
export function releasePage(dir: string, version: string, files: Record<string, Uint8Array<ArrayBuffer>> = {}) {
  return Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch(req) {
      const path = new URL(req.url).pathname
      const m = path.match(/^\/(?:latest\/download|download\/v([^/]+))\/([^/]+)$/)
      if (!m || (m[1] !== undefined && m[1] !== version)) return new Response('not found', { status: 404 })
      const name = m[2]!
      if (files[name]) return new Response(files[name])
      return existsSync(join(dir, name))
        ? new Response(Bun.file(join(dir, name)))
        : new Response('not found', { status: 404 })
    },
  })
}
