import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { expressRoute } from '../src/index.js'

describe('expressRoute: the full route pattern of an Express request', () => {
  it.each([
    // [originalUrl, baseUrl at close, req.route.path, expected]
    ['/fail/1', undefined, '/fail/:id', '/fail/:id'], // error reached the final handler
    ['/api/items/2?x=1', '', '/items/:id', '/api/items/:id'], // error left the /api router
    ['/api/items/2', '/api', '/items/:id', '/api/items/:id'], // still inside the router
    ['/api/', '/api', '/', '/api/'],
    ['/', '', '/', '/'],
    ['/files/a/b/c', '/static', '/files/*path', '/static/files/*path'], // wildcard: baseUrl
    ['/short', '', '/a/b/c', '/a/b/c'], // more segments than the path: as given
    ['/nope', undefined, undefined, undefined], // no route matched
  ])('%s (baseUrl %j, route %j) → %j', (url, base, route, expected) => {
    expect(expressRoute(url, base, route)).toBe(expected)
  })
})

// The route as the first version computed it, with arrays: the oracle for the in-place scans.
function byArrays(originalUrl: string, baseUrl: unknown, routePath: unknown): string | undefined {
  if (typeof routePath !== 'string') return undefined
  const base = typeof baseUrl === 'string' ? baseUrl : ''
  if (!/^[^*?{}()[\]]*$/.test(routePath)) return base + routePath
  const segments = (url: string) =>
    url
      .split(/[?#]/)[0]!
      .split('/')
      .filter((s) => s !== '')
  const path = segments(originalUrl)
  const own = segments(routePath)
  if (own.length > path.length) return base + routePath
  const mount = path.slice(0, path.length - own.length)
  return (mount.length === 0 ? '' : `/${mount.join('/')}`) + routePath
}

describe('expressRoute, property', () => {
  const part = fc.constantFrom('a', 'bb', ':id', '', 'x?y', 'z#w', '%2F')
  const path = fc.array(part, { maxLength: 6 }).map((parts) => parts.join('/'))
  const url = fc
    .tuple(fc.constantFrom('', '/', '//'), path, fc.constantFrom('', '?q=/a/b', '#/f', '/'))
    .map((p) => p.join(''))
  const route = fc.oneof(
    fc.tuple(fc.constantFrom('/', ''), path).map(([lead, rest]) => lead + rest),
    fc.constant('/files/*path'),
    fc.constant(undefined),
  )
  it('is the route the array version gives, for any path, base and route', () => {
    fc.assert(
      fc.property(url, fc.constantFrom(undefined, '', '/api'), route, (u, base, r) => {
        expect(expressRoute(u, base, r)).toBe(byArrays(u, base, r))
      }),
      { numRuns: 5000 },
    )
  })
})
