import { expect, test } from 'bun:test'
import { parseBytes, parseDuration } from './duration'

test('durations: units, bare numbers and digits are milliseconds', () => {
  const inputs = ['250ms', '5s', '1.5s', '2m', '1h', '1d', ' 10 s ', '1500', 42, 0]
  expect(inputs.map(parseDuration)).toEqual([250, 5000, 1500, 120_000, 3_600_000, 86_400_000, 10_000, 1500, 42, 0])
})

test('durations: anything else names the accepted forms and the value', () => {
  for (const bad of ['-1s', 'soon', '5 seconds', '', -5, Number.NaN, Number.POSITIVE_INFINITY, true, null]) {
    expect(() => parseDuration(bad)).toThrow('expected a duration such as "500ms", "30s", "5m", "1h"')
  }
  expect(() => parseDuration('soon')).toThrow(/got "soon"$/)
})

test('sizes: binary multiples, bare numbers and digits are bytes', () => {
  const inputs = ['512kb', '1mb', '1MB', '1gb', '1.5kb', '100b', '2048', 10]
  expect(inputs.map(parseBytes)).toEqual([524_288, 1_048_576, 1_048_576, 1_073_741_824, 1536, 100, 2048, 10])
})

test('sizes: anything else names the accepted forms and the value', () => {
  for (const bad of ['1.5 parsecs', 'huge', '-1kb', 1.5, -1, '1tb']) {
    expect(() => parseBytes(bad)).toThrow('expected a size such as "512kb", "1mb", "1gb" or a whole number of bytes')
  }
  expect(() => parseBytes(1.5)).toThrow(/got 1\.5$/)
})
