// The `bun` npm package ships its binary through a postinstall step. When npm skipped
// dependency scripts (e.g. `--ignore-scripts` in a parent install), run it here so
// `node_modules/.bin/bun` is the real executable.
const { execFileSync } = require('node:child_process')
const { join } = require('node:path')

const bun = join(__dirname, '..', 'node_modules', '.bin', 'bun')
try {
  execFileSync(bun, ['--version'], { stdio: 'ignore' })
} catch {
  execFileSync(process.execPath, ['install.js'], {
    cwd: join(__dirname, '..', 'node_modules', 'bun'),
    stdio: 'inherit',
  })
}
