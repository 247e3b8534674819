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
  const end = pathEnd(originalUrl)
  const own = segmentCount(routePath, pathEnd(routePath))
  const all = segmentCount(originalUrl, end)
  if (own > all) return base + routePath
  return mountPath(originalUrl, end, all - own) + routePath
}

// Segments of literal text and `:params` only; linear (one character class, no nesting).
const PLAIN_ROUTE = /^[^*?{}()[\]]*$/
const SLASH = 0x2f

// The scans below count and cut segments in place: this runs at the close of every traced
// Express request, where splitting the path into arrays twice was a visible share of a request
// trace's cost (issue 10, bench/README.md).

/** Where the path of `url` ends: at its query or fragment, else at its end. */
function pathEnd(url: string): number {
  for (let i = 0; i < url.length; i++) {
    const c = url.charCodeAt(i)
    if (c === 0x3f /* ? */ || c === 0x23 /* # */) return i
  }
  return url.length
}

/** The non-empty `/`-separated segments of `text` before `end`. */
function segmentCount(text: string, end: number): number {
  let count = 0
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) !== SLASH && (i === 0 || text.charCodeAt(i - 1) === SLASH)) count++
  }
  return count
}

/**
 * The first `keep` non-empty segments of the path (before `end`), each after one `/`: `''` for
 * none. Cut from `url` as it is when it already reads so (it starts with `/` and has no empty
 * segment on the way), else joined.
 */
function mountPath(url: string, end: number, keep: number): string {
  if (keep === 0) return ''
  let count = 0
  let asIs = url.charCodeAt(0) === SLASH
  for (let i = 0; i < end; i++) {
    if (url.charCodeAt(i) === SLASH) {
      if (i > 0 && url.charCodeAt(i - 1) === SLASH) asIs = false
    } else if (i + 1 === end || url.charCodeAt(i + 1) === SLASH) {
      // The last character of a segment.
      if (++count === keep) {
        const mount = url.slice(0, i + 1)
        return asIs
          ? mount
          : `/${mount
              .split('/')
              .filter((s) => s !== '')
              .join('/')}`
      }
    }
  }
  return ''
}
