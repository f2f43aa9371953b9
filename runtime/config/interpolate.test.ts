import { expect, test } from 'bun:test'
import { LineCounter, parseDocument } from 'yaml'
import { interpolateEnv } from './interpolate'

function run(source: string, env: Record<string, string | undefined> = {}) {
  const lineCounter = new LineCounter()
  const doc = parseDocument(source, { lineCounter })
  const problems = interpolateEnv(doc, { env, lineCounter, source })
  return { value: doc.toJS(), problems }
}

test('${VAR} and ${VAR:default}, inside text too; a default may contain colons', () => {
  const { value, problems } = run(
    'a: ${A}\nb: ${B:fallback}\nc: redis://${H:localhost}:${P:6379}/0\nd: ${URL:redis://x:1}\ne: ${E:}\n',
    { A: 'set', P: '7000' },
  )
  expect(problems).toEqual([])
  expect(value).toEqual({ a: 'set', b: 'fallback', c: 'redis://localhost:7000/0', d: 'redis://x:1', e: '' })
})

test('a whole value that reads back as a number or boolean becomes one (quoted too: flow maps need quotes)', () => {
  const env = { N: '3111', F: '0.5', T: 'true', Z: '0123', X: '1e3', Y: 'yes' }
  const { value } = run('n: ${N}\nf: ${F}\nt: ${T}\nz: ${Z}\nx: ${X}\ny: ${Y}\nflow: { q: "${N}" }\np: ${N}0\n', env)
  expect(value).toEqual({ n: 3111, f: 0.5, t: true, z: '0123', x: '1e3', y: 'yes', flow: { q: 3111 }, p: '31110' })
})

test('$${ is a literal ${; keys are never replaced', () => {
  const { value, problems } = run('a: $${HOME}\n${K}: 1\n', { HOME: '/root', K: 'k' })
  expect(problems).toEqual([])
  expect(value).toEqual({ a: '${HOME}', '${K}': 1 })
})

test('a missing variable is a problem at its ${, with the path, and lists keep their index', () => {
  const { problems } = run('redis:\n  url: redis://${HOST}:6379\nlist:\n  - ok\n  - "${MISSING}"\n')
  expect(problems).toEqual([
    {
      path: ['redis', 'url'],
      line: 2,
      column: 16,
      message: 'environment variable HOST is not set and has no default (write ${HOST:default})',
    },
    {
      path: ['list', 1],
      line: 5,
      column: 6,
      message: 'environment variable MISSING is not set and has no default (write ${MISSING:default})',
    },
  ])
})

test('a malformed reference is a problem', () => {
  const { problems } = run('a: ${1X}\nb: x${OPEN\n')
  expect(problems.map((p) => `${p.line}:${p.column} ${p.message}`)).toEqual([
    '1:4 malformed "${1X}": write ${NAME} or ${NAME:default}',
    '2:5 malformed "${OPEN": write ${NAME} or ${NAME:default}',
  ])
})
