import { describe, expect, test } from 'bun:test'
import { checkSchedule, nextRun } from './schedule'

const at = (iso: string) => new Date(iso)

describe('cron schedule maths (pure, fixed instants)', () => {
  test('5 fields: minute precision', () => {
    expect(nextRun({ expression: '*/15 * * * *', timezone: 'UTC' }, at('2026-03-01T10:07:30Z'))?.toISOString()).toBe(
      '2026-03-01T10:15:00.000Z',
    )
  })
  test('6 fields: leading seconds', () => {
    expect(nextRun({ expression: '*/10 * * * * *', timezone: 'UTC' }, at('2026-03-01T10:07:31Z'))?.toISOString()).toBe(
      '2026-03-01T10:07:40.000Z',
    )
  })
  test('7 fields: trailing year', () => {
    expect(
      nextRun({ expression: '0 0 12 1 1 * 2030', timezone: 'UTC' }, at('2026-03-01T00:00:00Z'))?.toISOString(),
    ).toBe('2030-01-01T12:00:00.000Z')
    expect(nextRun({ expression: '0 0 12 1 1 * 2020', timezone: 'UTC' }, at('2026-03-01T00:00:00Z'))).toBeNull()
  })
  test('strictly after the given instant', () => {
    expect(nextRun({ expression: '0 9 * * *', timezone: 'UTC' }, at('2026-03-01T09:00:00Z'))?.toISOString()).toBe(
      '2026-03-02T09:00:00.000Z',
    )
  })
  test('timezones: 09:00 in New York is 14:00 UTC in winter, 13:00 in summer', () => {
    const s = { expression: '0 9 * * *', timezone: 'America/New_York' }
    expect(nextRun(s, at('2026-01-10T00:00:00Z'))?.toISOString()).toBe('2026-01-10T14:00:00.000Z')
    expect(nextRun(s, at('2026-07-10T00:00:00Z'))?.toISOString()).toBe('2026-07-10T13:00:00.000Z')
  })
  test('day-of-week names', () => {
    expect(nextRun({ expression: '0 0 9 * * MON', timezone: 'UTC' }, at('2026-01-01T00:00:00Z'))?.toISOString()).toBe(
      '2026-01-05T09:00:00.000Z',
    )
  })
  test('invalid expressions and timezones throw', () => {
    expect(() => checkSchedule({ expression: 'every minute', timezone: 'UTC' })).toThrow()
    expect(() => checkSchedule({ expression: '61 * * * *', timezone: 'UTC' })).toThrow()
    expect(() => checkSchedule({ expression: '* * * * *', timezone: 'Mars/Olympus' })).toThrow()
  })
})
