/** `fromHeader`: the tenant from a request header, `X-Tenant-ID` by default. */
import { optionsError } from '../options.js'
import { repeatsHidden, sentTwice } from '../raw-headers.js'
import type { TenantSource } from '../source.js'
import { sentSeveral, singleValue } from './single-value.js'

// RFC 9110 token characters: what a header name may contain.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/** `true` when `name` is a valid HTTP header name (an RFC 9110 token). */
export function isHeaderName(name: unknown): name is string {
  return typeof name === 'string' && HEADER_NAME.test(name)
}

/**
 * Reads the tenant from the header `name` (case-insensitive). A header sent twice, or holding a
 * comma list, is `TENANT_INVALID` (R7); the value is validated as a tenant id (S6). For the
 * names Node keeps only the first of in `headers` (`authorization`, `from`, `user-agent`, …) the
 * repeat is found in `request.rawHeaders`; without it (an integration that does not pass it) a
 * second such header goes unseen.
 *
 * Security: a plain header is whatever the client says. Trust it only behind a gateway that
 * sets or strips it, or check it with `authorize`, or require it to agree with a verified token
 * (`consensus: true` with `fromJwt`).
 *
 * @param name the header. Default: `'x-tenant-id'`.
 * @example
 * ```ts
 * app.use(traciumTenant({ resolve: fromHeader('x-org-id') }))
 * ```
 */
export function fromHeader(name = 'x-tenant-id'): TenantSource {
  if (!isHeaderName(name)) {
    optionsError('@tracium/core', `fromHeader(${JSON.stringify(name)}): not a valid header name.`)
  }
  const key = name.toLowerCase()
  const where = `the ${key} header`
  if (!repeatsHidden(key)) {
    // Node joins repeats of this header with ", ", so the comma rule sees them: the default
    // path reads nothing but `headers`.
    return { name: `header:${key}`, read: (request) => singleValue(request.headers[key], where) }
  }
  // Node keeps only the first `Authorization`, `From`, … in `headers`: count the raw list.
  return {
    name: `header:${key}`,
    read(request) {
      const value = singleValue(request.headers[key], where)
      if (value !== null && sentTwice(request, key)) throw sentSeveral(where)
      return value
    },
  }
}
