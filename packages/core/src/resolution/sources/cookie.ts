/** `fromCookie`: the tenant from a cookie. */
import { TenantError } from '../../errors.js'
import { optionsError } from '../options.js'
import type { TenantRequest } from '../request.js'
import type { TenantSource } from '../source.js'
import { isHeaderName } from './header.js'

/**
 * Reads the tenant from the cookie `name`: from the cookies the framework parsed when it did,
 * else from the Cookie header. A cookie sent twice (say with two paths, or in two Cookie
 * headers, which Node joins with "; ") is `TENANT_INVALID`, since picking one would be a guess.
 *
 * @param name the cookie. Default: `'tenant'`.
 * @example
 * ```ts
 * traciumTenant({ resolve: fromCookie('tenant') })
 * ```
 */
export function fromCookie(name = 'tenant'): TenantSource {
  // A cookie name is an RFC 9110 token, like a header name (RFC 6265 section 4.1.1).
  if (!isHeaderName(name)) {
    optionsError('@tracium/core', `fromCookie(${JSON.stringify(name)}): not a valid cookie name.`)
  }
  return { name: `cookie:${name}`, read: (request) => readCookie(request, name) }
}

/**
 * The value of cookie `name`, or `null`; shared with `fromJwt({ cookie })`, which passes its own
 * error for a cookie sent twice. Node joins repeated Cookie headers with "; " (HTTP/1 and HTTP/2
 * alike), so a cookie sent in two Cookie headers is seen twice here: no raw header list needed.
 */
export function readCookie(
  request: TenantRequest,
  name: string,
  sentTwice: (name: string) => Error = cookieSentTwice,
): string | null {
  const header = request.headers.cookie
  if (typeof header !== 'string') {
    const parsed = request.cookies?.[name]
    return typeof parsed === 'string' ? parsed : null
  }
  let found: string | null = null
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=')
    if (eq === -1 || pair.slice(0, eq).trim() !== name) continue
    if (found !== null) throw sentTwice(name)
    found = decode(pair.slice(eq + 1).trim())
  }
  return found
}

function cookieSentTwice(name: string): TenantError {
  return new TenantError('TENANT_INVALID', `Invalid tenant: the cookie "${name}" was sent twice.`)
}

function decode(raw: string): string {
  const value = raw.length > 1 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw
  try {
    return decodeURIComponent(value)
  } catch {
    throw new TenantError('TENANT_INVALID', 'Invalid tenant: a cookie value is badly encoded.')
  }
}
