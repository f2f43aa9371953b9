import { expect, test } from 'bun:test'
import { consoleAccess, isLoopbackHost, refuse } from './auth'

test('loopback hosts', () => {
  expect(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'].map(isLoopbackHost)).toEqual([
    true,
    true,
    true,
    true,
    true,
  ])
  expect(['0.0.0.0', '::', '192.168.1.4', 'example.com', '127.0.0.1.example.com'].map(isLoopbackHost)).toEqual([
    false,
    false,
    false,
    false,
    false,
  ])
})

test('beyond loopback a token is required', () => {
  expect(() => consoleAccess({ host: '0.0.0.0' })).toThrow('set console.token')
  expect(consoleAccess({ host: '0.0.0.0', token: 't' })).toEqual({ loopback: false, token: 't' })
  expect(consoleAccess({ host: '127.0.0.1' })).toEqual({ loopback: true })
})

test('a token is checked from the header or the query, and only it opens the API', () => {
  const access = consoleAccess({ host: '0.0.0.0', token: 'secret' })
  const check = (url: string, headers: Record<string, string> = {}) =>
    refuse(access, new Request(url, { headers }), new URL(url))?.status ?? 200
  expect(check('http://h/api/x')).toBe(401)
  expect(check('http://h/api/x', { authorization: 'Bearer nope' })).toBe(401)
  expect(check('http://h/api/x', { authorization: 'Bearer secretX' })).toBe(401)
  expect(check('http://h/api/x', { authorization: 'Bearer secret' })).toBe(200)
  expect(check('http://h/api/x?token=secret')).toBe(200)
})
