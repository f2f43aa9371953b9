/**
 * croner, which only projects with cron triggers run. A compiled binary carries this file as an
 * entrypoint of its own (build.ts), parsed when the first schedule is checked or started
 * (schedule.ts).
 */
export { Cron } from 'croner'
