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
