// `npm run bench`: every benchmark in turn, each printing its own figures and ratios.
// The first builds dist/motia; the others reuse it (streams.ts runs from source).
const scripts = ['http.ts', 'startup.ts', 'state.ts', 'queue.ts', 'tracing.ts', 'reload.ts', 'streams.ts']
// Instruction counts need valgrind (apt-get install -y valgrind).
if (Bun.which('valgrind')) scripts.push('instructions.ts')
for (const script of scripts) {
  console.log(`\n=== bench/${script}`)
  const args = script === 'http.ts' || script === 'streams.ts' ? [] : ['--no-build']
  const p = Bun.spawn([process.execPath, `${import.meta.dir}/${script}`, ...args], {
    stdout: 'inherit',
    stderr: 'inherit',
  })
  if ((await p.exited) !== 0) process.exitCode = 1
}
