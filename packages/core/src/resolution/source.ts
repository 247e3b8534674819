/**
 * A tenant source reads one candidate tenant from a request: a header, a verified token claim,
 * the subdomain, the path, the query, a cookie, or a function of the user's.
 */
import type { JWTPayload } from 'jose'
import type { PathRules } from './path-rules.js'
import type { TenantRequest } from './request.js'

/** A tenant read together with the verified token claims it came from (see `fromJwt`). */
export interface ClaimedTenant {
  readonly tenantId: string
  readonly claims: JWTPayload
}

/**
 * What a source yields: a tenant id, nothing (`null`/`undefined`: try the next source), or a
 * tenant with claims. Throwing a `TenantError` rejects the request; it never falls through.
 */
export type SourceValue = string | null | undefined | ClaimedTenant

/** A tenant source. Build one with `fromHeader`, `fromJwt`, … or pass a plain function. */
export interface TenantSource {
  /** Shown in diagnostics events and `req.tenant.source`, e.g. `header:x-tenant-id`. */
  readonly name: string
  /**
   * Set by sources that match the request path against a pattern (`fromPath`): the resolver then
   * passes `read` the adapter's router rule. Default: `false` (`read` gets no rule).
   */
  readonly matchesPath?: boolean
  /**
   * Reads the candidate tenant. Built-in sources validate what they return. `rules` is how the
   * framework's router matches paths, given when `matchesPath` is set.
   */
  read(request: TenantRequest, rules?: PathRules): SourceValue | Promise<SourceValue>
}

/**
 * A source written as a function, e.g. a lookup of the tenant by API key. Whatever it returns is
 * validated as a tenant id (S6); `null`/`undefined` means "no tenant here, try the next source".
 *
 * @example
 * ```ts
 * const fromApiKey: TenantSourceFunction = async (req) =>
 *   (await db.apiKeys.find(req.headers['x-api-key']))?.tenantId
 * ```
 */
export type TenantSourceFunction = (
  request: TenantRequest,
) => string | null | undefined | Promise<string | null | undefined>

/** Anything the `resolve` option accepts as one source. */
export type TenantSourceInput = TenantSource | TenantSourceFunction

/** Turns a function into a named {@link TenantSource}. */
export function toSource(input: TenantSourceInput): TenantSource {
  if (typeof input !== 'function') return input
  return { name: `custom:${input.name || 'anonymous'}`, read: input }
}
