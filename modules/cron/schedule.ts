import { Cron } from 'croner'

export interface Schedule {
  expression: string
  timezone: string
}

/** Throws with croner's explanation when the expression (5, 6 or 7 fields) or timezone is invalid. */
export function checkSchedule(s: Schedule): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: s.timezone })
  } catch {
    throw new Error(`unknown timezone "${s.timezone}" (expected an IANA name such as Europe/Paris)`)
  }
  new Cron(s.expression, { paused: true, timezone: s.timezone })
}

/**
 * When the schedule fires next, strictly after `from`. A pure function of its inputs, so the
 * maths is tested at fixed instants; null when the schedule never fires again (e.g. a past year).
 */
export function nextRun(s: Schedule, from: Date): Date | null {
  return new Cron(s.expression, { paused: true, timezone: s.timezone }).nextRun(from)
}
