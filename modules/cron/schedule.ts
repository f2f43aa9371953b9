import { embeddedEntry } from '../../runtime/embedded-entries'

declare const MOTIA_SPLIT_ENTRIES: boolean | undefined

/**
 * croner's `Cron`, loaded on first use, synchronously (step checks are). In a compiled binary it
 * is an entrypoint apart (build.ts): the define folds this test, so the bundle keeps no copy
 * behind `require('./croner-library')`.
 */
export function croner(): typeof import('./croner-library') {
  if (typeof MOTIA_SPLIT_ENTRIES === 'boolean') return require(embeddedEntry('modules/cron/croner-library'))
  else return require('./croner-library')
}

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
  const { Cron } = croner()
  new Cron(s.expression, { paused: true, timezone: s.timezone })
}

/**
 * When the schedule fires next, strictly after `from`. A pure function of its inputs, so the
 * maths is tested at fixed instants; null when the schedule never fires again (e.g. a past year).
 */
export function nextRun(s: Schedule, from: Date): Date | null {
  return new (croner().Cron)(s.expression, { paused: true, timezone: s.timezone }).nextRun(from)
}
