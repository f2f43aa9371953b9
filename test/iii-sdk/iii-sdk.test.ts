import { expect, test } from 'bun:test'
import { testBinary } from '../support/binary'
import { runSuite } from './run'

/** Tests of iii's own SDK suite that pass against dist/motia (docs/iii.md lists the rest and why). */
const EXPECTED_PASSING = 121

// iii's Node SDK suite (pinned copy in suite/, README.md) against the binary on iii's test config.
test("iii's Node SDK test suite passes against dist/motia", async () => {
  const binary = await testBinary()
  const r = await runSuite({ binary })
  const failed = r.tests.filter((t) => t.status === 'failed').map((t) => `${t.file} > ${t.name}: ${t.message}`)
  if (r.passed < EXPECTED_PASSING) console.error(failed.join('\n'))
  expect(r.passed).toBeGreaterThanOrEqual(EXPECTED_PASSING)
}, 240_000)
