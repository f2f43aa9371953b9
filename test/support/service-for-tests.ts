/**
 * Whether `what` (a test file that needs `service`) can run: `answers()` says the service is up.
 * Where it is not, a local run skips the file, saying `why`; under CI (`CI` set, as .ci/run runs)
 * the file fails instead: CI runs the service, and a skip there would hide a failure.
 */
export async function serviceForTests(
  what: string,
  service: string,
  answers: () => Promise<boolean>,
  why: () => string,
): Promise<boolean> {
  if (await answers()) return true
  if (process.env.CI) throw new Error(`${what}: ${why()}; CI must run the ${service} tests`)
  console.log(`${what} skipped: ${why()}`)
  return false
}
