/**
 * The route pattern of an Express request (Express itself, and Nest on platform-express), as
 * the trace of the request should be named: the mount path of the router plus the route's path.
 *
 * Express keeps neither whole. `req.route.path` is relative to the router that matched, and
 * `req.baseUrl` (that router's mount path) is restored when the request leaves the router, as an
 * error does on its way to an error handler or to Express's final handler, where it is
 * `undefined` (traces were named `undefined/fail/:id`, issue 12). So the mount path is taken
 * from the request's path instead: what is left after removing as many trailing segments as the
 * route has (a `:param` matches one segment). While the request is inside its router this is
 * exactly `baseUrl`. It needs a route of plain segments (`/items/:id`); for a wildcard or
 * optional part (`/files/*path`, `{/:id}`) `baseUrl` is used as it is.
 */

/**
 * The full route of a matched Express route, or `undefined` when no route matched (a 404, or a
 * middleware answered before routing).
 * @param originalUrl `req.originalUrl`: the request's path as received.
 * @param baseUrl `req.baseUrl` when the response closed.
 * @param routePath `req.route?.path`.
 * @example
 * ```ts
 * expressRoute('/api/items/2', undefined, '/items/:id') // '/api/items/:id'
 * ```
 */
export function expressRoute(
  originalUrl: string,
  baseUrl: unknown,
  routePath: unknown,
): string | undefined {
  if (typeof routePath !== 'string') return undefined
  const base = typeof baseUrl === 'string' ? baseUrl : ''
  if (!PLAIN_ROUTE.test(routePath)) return base + routePath
  const path = pathSegments(originalUrl)
  const own = pathSegments(routePath)
  if (own.length > path.length) return base + routePath
  const mount = path.slice(0, path.length - own.length)
  return (mount.length === 0 ? '' : `/${mount.join('/')}`) + routePath
}

// Segments of literal text and `:params` only; linear (one character class, no nesting).
const PLAIN_ROUTE = /^[^*?{}()[\]]*$/

function pathSegments(url: string): string[] {
  let end = url.length
  for (let i = 0; i < url.length; i++) {
    const c = url.charCodeAt(i)
    if (c === 0x3f /* ? */ || c === 0x23 /* # */) {
      end = i
      break
    }
  }
  return url
    .slice(0, end)
    .split('/')
    .filter((s) => s !== '')
}
