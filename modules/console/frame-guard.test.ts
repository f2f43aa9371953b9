import { expect, test } from 'bun:test'
import { frameGuard, withFrameAncestors } from './frame-guard'

test("frame-ancestors 'none' joins a policy's other directives and replaces a weaker one", () => {
  expect(withFrameAncestors(null)).toBe("frame-ancestors 'none'")
  expect(withFrameAncestors("default-src 'self'; img-src data:;")).toBe(
    "default-src 'self'; img-src data:; frame-ancestors 'none'",
  )
  expect(withFrameAncestors("Frame-Ancestors *; script-src 'self'")).toBe("script-src 'self'; frame-ancestors 'none'")
})

test('frameGuard sets both headers and keeps the rest', () => {
  const res = frameGuard(
    new Response('x', { headers: { 'content-security-policy': "default-src 'self'", 'cache-control': 'no-store' } }),
  )
  expect(Object.fromEntries(res.headers)).toEqual({
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'self'; frame-ancestors 'none'",
    'x-frame-options': 'DENY',
  })
})
