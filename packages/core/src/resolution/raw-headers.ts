/**
 * Duplicate headers that `req.headers` hides. Node joins most repeated headers with ", " (and
 * Cookie with "; "), which the comma rule of R7 catches; but for a few names it keeps only the
 * first value and drops the rest, so a second `Authorization` or `Host` header is invisible there
 * and "two tokens for two tenants" would silently resolve to the first. Only the raw header list
 * (`req.rawHeaders`) still shows them.
 */
import type { TenantRequest } from './request.js'

/**
 * Header names whose repeats Node drops from `req.headers` (the first wins), plus `cookie`, which
 * it joins with "; " rather than a comma. HTTP/1: `matchKnownFields` in Node's
 * lib/_http_incoming.js (checked on Node 20 over a raw socket); HTTP/2 compat: the
 * `kSingleValueHeaders` of lib/internal/http2/util.js. Other names are joined with ", ".
 */
const HIDDEN_REPEATS: ReadonlySet<string> = new Set([
  ...['authorization', 'proxy-authorization', 'host', 'from', 'content-type', 'content-length'],
  ...['user-agent', 'referer', 'if-modified-since', 'if-unmodified-since', 'location'],
  ...['max-forwards', 'retry-after', 'etag', 'last-modified', 'server', 'age', 'expires'],
  ...['access-control-allow-credentials', 'access-control-max-age', 'date', 'dnt', 'tk'],
  ...['access-control-request-method', 'content-encoding', 'content-language', 'if-range'],
  ...['content-location', 'content-md5', 'content-range', 'if-match', 'if-none-match', 'range'],
  ...['upgrade-insecure-requests', 'x-content-type-options', 'cookie'],
])

/**
 * Whether a repeat of header `name` (lower case) can be missing from `req.headers`, so a source
 * promising one value must look at the raw list. Decided once, when the source is built.
 */
export function repeatsHidden(name: string): boolean {
  return HIDDEN_REPEATS.has(name)
}

/**
 * Whether header `name` (lower case) arrived more than once, by the raw header list (`name,
 * value, name, value…`). One pass, no allocation but a lower-cased copy of names of the same
 * length; stops at the second match. Without `rawHeaders` (an integration that did not pass it)
 * it answers `false`: the parsed headers are then all a source can check.
 */
export function sentTwice(request: TenantRequest, name: string): boolean {
  const raw = request.rawHeaders
  if (raw === undefined) return false
  let seen = false
  for (let i = 0; i < raw.length; i += 2) {
    const key = raw[i]!
    if (key.length !== name.length || key.toLowerCase() !== name) continue
    if (seen) return true
    seen = true
  }
  return false
}
