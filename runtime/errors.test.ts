import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ERROR_CODES } from './error-codes'
import { MotiaError, serializeError } from './errors'

describe('error catalogue', () => {
  test('docs/errors.md lists exactly the codes of error-codes.ts, with their status', () => {
    const doc = readFileSync(join(import.meta.dir, '..', 'docs', 'errors.md'), 'utf8')
    const documented = [...doc.matchAll(/^\|\s*`(E_[A-Z_]+)`\s*\|\s*(\d+)\s*\|/gm)].map((m) => [m[1], Number(m[2])])
    const catalogue = Object.entries(ERROR_CODES).map(([code, { status }]) => [code, status])
    expect(documented.sort()).toEqual(catalogue.sort())
  })

  test('MotiaError carries code, status, details and serialises to JSON', () => {
    const e = new MotiaError('E_BODY_INVALID', 'bad body', { details: { issues: [] } })
    expect(e.status).toBe(400)
    expect(JSON.parse(JSON.stringify(e))).toEqual({
      code: 'E_BODY_INVALID',
      message: 'bad body',
      details: { issues: [] },
    })
    expect(serializeError(e)).toMatchObject({ name: 'MotiaError', message: 'bad body', code: 'E_BODY_INVALID' })
    expect(serializeError('plain')).toEqual({ name: 'Error', message: 'plain' })
  })
})
