import { expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import pkg from '../../package.json' with { type: 'json' }
import { archiveName, TARGETS } from '../../release/targets'

// PowerShell is not available on this machine (no Debian package), so install.ps1 is checked
// statically: it must look for the same files, at the same places, as install.sh (which runs).
const ROOT = join(import.meta.dir, '..', '..')
const ps1 = readFileSync(join(ROOT, 'install.ps1'), 'utf8')
const sh = readFileSync(join(ROOT, 'install.sh'), 'utf8')

test("install.ps1 uses install.sh's release page layout, default base and messages", () => {
  const base = (text: string) => text.match(/https:\/\/github\.com\/[^\s'"}]+\/releases/)?.[0]
  expect(base(ps1)).toBe(base(sh)!)
  for (const part of ['/latest/download', '/download/v', 'SHA256SUMS', 'checksum mismatch for', 'MOTIA_INSTALL_BASE']) {
    expect([part, ps1.includes(part), sh.includes(part)]).toEqual([part, true, true])
  }
  expect(ps1).toContain("Join-Path $HOME '.motia\\bin'")
  expect(ps1).toContain('IsProcessorFeaturePresent(40)') // PF_AVX2_INSTRUCTIONS_AVAILABLE
})

test('the SHA256SUMS line install.ps1 picks is the Windows archive, and only it', () => {
  const pattern = ps1.match(
    /-match "(\^\[0-9a-f\]\{64\} {2}motia-\\S\+-)\$\(\[regex\]::Escape\(\$target\)\)(\\\.zip\$)"/,
  )
  expect(pattern).not.toBeNull()
  const regex = new RegExp(`${pattern![1]}windows-x64${pattern![2]}`)
  const lines = TARGETS.map((t) => `${'a'.repeat(64)}  ${archiveName(pkg.version, t)}`)
  expect(lines.filter((l) => regex.test(l))).toEqual([`${'a'.repeat(64)}  motia-${pkg.version}-windows-x64.zip`])
})
