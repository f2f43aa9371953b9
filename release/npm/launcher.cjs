#!/usr/bin/env node
'use strict'
// The `motia` command of the npm package motia-bin: it runs the motia executable that npm
// installed for this platform, one of motia-bin's optionalDependencies (motia-bin-<target>,
// chosen by npm from their os/cpu/libc fields), with nothing downloaded after install.
const { spawn } = require('node:child_process')
const { accessSync, chmodSync, constants, readFileSync } = require('node:fs')
const { dirname, join } = require('node:path')

/** The targets this machine can run, best first (see release/targets.ts). */
function candidates() {
  const { platform, arch } = process
  if (platform === 'win32') return arch === 'x64' ? ['windows-x64'] : []
  if (platform === 'darwin') return arch === 'x64' || arch === 'arm64' ? [`darwin-${arch}`] : []
  if (platform !== 'linux' || (arch !== 'x64' && arch !== 'arm64')) return []
  const report = process.report?.getReport()
  const musl = !report?.header?.glibcVersionRuntime
  if (musl) return [`linux-${arch}-musl`]
  if (arch === 'arm64') return ['linux-arm64']
  let avx2 = true
  try {
    avx2 = /\bavx2\b/.test(readFileSync('/proc/cpuinfo', 'utf8'))
  } catch {}
  return avx2 ? ['linux-x64', 'linux-x64-baseline'] : ['linux-x64-baseline']
}

function executable() {
  const targets = candidates()
  const name = process.platform === 'win32' ? 'motia.exe' : 'motia'
  for (const target of targets) {
    let dir
    try {
      dir = dirname(require.resolve(`motia-bin-${target}/package.json`))
    } catch {
      continue
    }
    const file = join(dir, 'bin', name)
    if (process.platform !== 'win32') {
      try {
        accessSync(file, constants.X_OK)
      } catch {
        chmodSync(file, 0o755)
      }
    }
    return file
  }
  const where = `${process.platform}-${process.arch}`
  if (targets.length === 0) {
    fail(
      `motia has no build for ${where}: the release covers linux x64/arm64 (glibc, musl), macOS x64/arm64 and Windows x64`,
    )
  }
  fail(
    `the motia executable for ${where} is not installed: npm installs it with motia-bin as the optional dependency ` +
      `${targets.map((t) => `motia-bin-${t}`).join(' or ')}. Reinstall without --omit=optional / --no-optional, ` +
      'or install the binary with install.sh / install.ps1 (docs/release.md).',
  )
}

function fail(message) {
  process.stderr.write(`motia-bin: ${message}\n`)
  process.exit(1)
}

const child = spawn(executable(), process.argv.slice(2), { stdio: 'inherit' })
// A terminal's Ctrl-C reaches the whole process group, motia included: only signals sent to this
// process alone are passed on, and once, so motia sees each signal one time.
process.on('SIGINT', () => {})
for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal))
child.on('error', (err) => fail(err.message))
child.on('exit', (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal)
    process.kill(process.pid, signal)
  } else process.exit(code === null ? 1 : code)
})
