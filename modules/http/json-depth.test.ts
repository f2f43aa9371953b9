import { expect, test } from 'bun:test'
import { nestedDeeperThan } from './json-depth'

const deeper = (text: string, max: number) => nestedDeeperThan(new TextEncoder().encode(text), max)

test('counts arrays and objects outside strings, escapes honoured', () => {
  expect(deeper('[[[]]]', 3)).toBe(false)
  expect(deeper('[[[[]]]]', 3)).toBe(true)
  expect(deeper('{"a":{"b":[{"c":1}]}}', 4)).toBe(false)
  expect(deeper('{"a":{"b":[{"c":1}]}}', 3)).toBe(true)
  // Siblings do not add up.
  expect(deeper('[[1],[2],[3],[4],[5],[6]]', 2)).toBe(false)
  // Brackets in strings, after escaped quotes and backslashes, are text.
  expect(deeper(JSON.stringify({ s: '[[[[[[', t: '\\"{{{{{{', u: '\\\\' }), 1)).toBe(false)
  expect(deeper(JSON.stringify({ t: 'x\\', v: [[[]]] }), 3)).toBe(true)
  expect(deeper(JSON.stringify(['é[[[[', '🎉{{{{']), 1)).toBe(false)
})

test('a 100k-level body is refused at the first level past the limit', () => {
  const n = 100_000
  expect(deeper(`${'['.repeat(n)}${']'.repeat(n)}`, 256)).toBe(true)
})
