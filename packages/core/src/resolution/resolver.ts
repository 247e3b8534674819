/**
 * The resolver: built once from `TraciumTenantOptions`, called by an adapter once per request.
 * All resolution behaviour lives here (R1–R7) so every adapter behaves the same.
 *
 * It stays synchronous while every step is (the default header source is), and only returns a
 * promise when a source or `authorize` does: adapters then skip a microtask per request.
 */
import type { JWTPayload } from 'jose'
import { isTenantError, TenantError } from '../errors.js'
import { rejectedChannel, resolvedChannel } from '../events.js'
import { assignTenant, type RequestScope } from '../request-scope.js'
import { validateTenantId } from '../tenant-id.js'
import { createTenantIdCheck } from '../tenant-id-policy.js'
import { compileExclude } from './exclude.js'
import {
  checkOptions,
  optionsError,
  type RejectionMode,
  type TraciumTenantOptions,
} from './options.js'
import {
  EXACT_PATH_RULES,
  effectivePathRules,
  type PathRules,
  type PathRulesInput,
} from './path-rules.js'
import type { TenantRequest } from './request.js'
import { type SourceValue, type TenantSource, toSource } from './source.js'
import { fromBaggage } from './sources/baggage.js'
import { fromCookie } from './sources/cookie.js'
import { fromHeader } from './sources/header.js'
import { fromJwt } from './sources/jwt.js'
import { fromPath } from './sources/path.js'
import { fromQuery } from './sources/query.js'
import { fromSubdomain } from './sources/subdomain.js'

/**
 * The source factories: `resolve: fromHeader` (not called) would run the factory as a custom
 * source on every request and fail there; it is caught when the middleware is created.
 */
const FACTORIES: ReadonlyMap<unknown, string> = new Map<unknown, string>([
  [fromHeader, 'fromHeader()'],
  [fromJwt, 'fromJwt({ secret })'],
  [fromSubdomain, "fromSubdomain({ baseDomain: 'app.example.com' })"],
  [fromPath, "fromPath('/t/:tenant')"],
  [fromQuery, "fromQuery('tenant')"],
  [fromCookie, "fromCookie('tenant')"],
  [fromBaggage, 'fromBaggage({ trust: (request) => isTrustedCaller(request) })'],
])

/** The outcome of resolution, exposed by adapters as `req.tenant` / `ctx.state.tenant`. */
export interface ResolvedTenant {
  /** The tenant id, or `null` when the request has none. */
  readonly id: string | null
  /** The source that produced it (`header:x-tenant-id`, `default`, …), or `null`. */
  readonly source: string | null
  /** The verified token claims, when the tenant came from `fromJwt`; deeply frozen. */
  readonly claims?: JWTPayload
}

/** Resolves requests' tenants. Build it with {@link createTenantResolver}. */
export interface TenantResolver {
  /** The `rejections` option: whether the adapter answers a `TenantError` or forwards it. */
  readonly rejections: RejectionMode
  /**
   * Resolves the tenant of `request`, sets it on `scope` and publishes the `resolved` or
   * `rejected` event. Returns synchronously when every step is synchronous.
   *
   * @throws {TenantError} (or rejects with it) when the request must be refused. Errors thrown
   *   by user code (a custom source, `authorize`) pass through unchanged.
   */
  resolve(request: TenantRequest, scope: RequestScope): ResolvedTenant | Promise<ResolvedTenant>
  /**
   * For a request another mount of the middleware resolved already (`first`; its scope is
   * reused and its tenant, maybe changed since by `setTenant()`, is kept): applies this mount's
   * own rules without setting the tenant, so a stricter router-level mount is enforced: its
   * sources must not name another tenant (`TENANT_CONFLICT`), and its id policy, `required` and
   * `authorize` apply to what they find. Returns a promise when a step is asynchronous.
   *
   * @throws {TenantError} (or rejects with it) after publishing the `rejected` event.
   */
  checkReused(
    request: TenantRequest,
    scope: RequestScope,
    first: ResolvedTenant,
  ): undefined | Promise<undefined>
}

const NO_TENANT: ResolvedTenant = Object.freeze({ id: null, source: null })

/** What an adapter tells {@link createTenantResolver} about itself. */
export interface TenantAdapterSettings {
  /** Starts every option error's message, e.g. `@tracium/express`. Default: `@tracium/core`. */
  readonly packageName?: string
  /**
   * How the framework's router matches paths (`exclude` paths and `fromPath` patterns follow
   * it), or a function of the request returning it when the rule is only known per request
   * (Express: the app's settings; return one cached object per app). The function is only
   * called when `exclude` lists paths or a `fromPath` pattern is used; the user's
   * `pathMatching` option overrides it. Default: `EXACT_PATH_RULES` (as received).
   */
  readonly pathRules?: PathRulesInput
}

/**
 * Builds the resolver for `options`, checking them first (E3). Adapters call this once, when
 * the middleware is created.
 *
 * @param adapter the adapter's settings, or just its package name (which starts every option
 *   error's message). Default: `{ packageName: '@tracium/core', pathRules: EXACT_PATH_RULES }`.
 * @throws {TraciumOptionsError} for options that cannot work, saying how to fix them.
 * @example
 * ```ts
 * const resolver = createTenantResolver(
 *   { resolve: fromHeader(), required: true },
 *   { packageName: '@tracium/koa', pathRules: KOA_ROUTER_PATH_RULES },
 * )
 * const tenant = await resolver.resolve(request, scope) // { id: 'acme', source: 'header:x-tenant-id' }
 * ```
 */
export function createTenantResolver(
  options: TraciumTenantOptions = {},
  adapter: string | TenantAdapterSettings = {},
): TenantResolver {
  const { packageName = '@tracium/core', pathRules = EXACT_PATH_RULES } =
    typeof adapter === 'string' ? { packageName: adapter } : adapter
  checkOptions(options, packageName)
  const sources = normalizeSources(options.resolve, packageName)
  const sourceNames = sources.map((s) => s.name).join(', ')
  const isExcluded = compileExclude(options.exclude)
  // Only asked for when something matches paths: the default header source never pays for it.
  const rulesOf =
    isExcluded?.usesPathRules || sources.some((s) => s.matchesPath === true)
      ? effectivePathRules(pathRules, options.pathMatching)
      : undefined
  const { consensus = false, required = false, authorize } = options
  // Without a policy, S6's own check: the default path does no extra work.
  const checkId = options.tenantId ? createTenantIdCheck(options.tenantId) : validateTenantId
  const fallback: ResolvedTenant =
    options.defaultTenant === undefined
      ? NO_TENANT
      : Object.freeze({ id: checkId(options.defaultTenant), source: 'default' })

  /** Reads sources from `index` on; `found` is what earlier sources agreed on. */
  function readFrom(
    request: TenantRequest,
    rules: PathRules | undefined,
    index: number,
    found: ResolvedTenant | undefined,
  ): ResolvedTenant | undefined | Promise<ResolvedTenant | undefined> {
    for (let i = index; i < sources.length; i++) {
      const source = sources[i]!
      const value = source.read(request, rules)
      if (value instanceof Promise) {
        return value.then((v) => {
          const next = accept(source, v, found)
          return next !== undefined && !consensus ? next : readFrom(request, rules, i + 1, next)
        })
      }
      found = accept(source, value, found)
      if (found !== undefined && !consensus) return found
    }
    return found
  }

  function accept(
    source: TenantSource,
    value: SourceValue,
    found: ResolvedTenant | undefined,
  ): ResolvedTenant | undefined {
    if (value === null || value === undefined) return found
    const next: ResolvedTenant =
      typeof value === 'string'
        ? { id: checkId(value), source: source.name }
        : { id: checkId(value.tenantId), source: source.name, claims: value.claims }
    if (found === undefined) return next
    if (found.id !== next.id) throw conflict(found, next)
    return found
  }

  function conflict(found: ResolvedTenant, next: ResolvedTenant): TenantError {
    return new TenantError(
      'TENANT_CONFLICT',
      `The tenant sources disagree: ${found.source} and ${next.source} name different tenants.`,
    )
  }

  function missing(): TenantError {
    return new TenantError(
      'TENANT_MISSING',
      `This endpoint needs a tenant and none was found (looked at: ${sourceNames}).`,
    )
  }

  function decide(
    request: TenantRequest,
    found: ResolvedTenant | undefined,
  ): ResolvedTenant | Promise<ResolvedTenant> {
    if (found === undefined) {
      if (required) throw missing()
      return fallback
    }
    if (authorize === undefined) return found
    const allowed = authorize(found.id!, request, {
      source: found.source!,
      ...(found.claims && { claims: found.claims }),
    })
    return allowed instanceof Promise
      ? allowed.then((ok) => checkAllowed(ok, found))
      : checkAllowed(allowed, found)
  }

  function settle(scope: RequestScope, tenant: ResolvedTenant): ResolvedTenant {
    assignTenant(scope, tenant.id) // validated when accepted
    if (tenant.id !== null && resolvedChannel.hasSubscribers) {
      resolvedChannel.publish({ scope: scope.view, tenantId: tenant.id, source: tenant.source })
    }
    return tenant
  }

  function reject(scope: RequestScope, error: unknown): never {
    if (isTenantError(error) && rejectedChannel.hasSubscribers) {
      rejectedChannel.publish({ scope: scope.view, code: error.code })
    }
    throw error
  }

  return {
    rejections: options.rejections ?? 'respond',
    checkReused(request, scope, first) {
      try {
        const rules = rulesOf?.(request)
        if (isExcluded?.(request, rules)) return
        // This mount's own sources, id policy, `required` and `authorize`, without setting the
        // tenant: what they find must be the tenant the first mount resolved.
        const check = (own: ResolvedTenant | undefined) => {
          if (own !== undefined && first.id !== null && own.id !== first.id) {
            throw conflict(first, own)
          }
          // The tenant the request acts as now (the first mount's, or the app's setTenant()).
          const tenantId = scope.tenantId
          const acting =
            tenantId === null
              ? undefined
              : { ...(own ?? first), id: own ? tenantId : checkId(tenantId) }
          const decided = decide(request, acting)
          return decided instanceof Promise ? decided.then(() => undefined) : undefined
        }
        const found = readFrom(request, rules, 0, undefined)
        const checked = found instanceof Promise ? found.then(check) : check(found)
        return checked?.catch((error) => reject(scope, error))
      } catch (error) {
        return reject(scope, error)
      }
    },
    resolve(request, scope) {
      try {
        const rules = rulesOf?.(request)
        if (isExcluded?.(request, rules)) return NO_TENANT
        const found = readFrom(request, rules, 0, undefined)
        const decided =
          found instanceof Promise ? found.then((f) => decide(request, f)) : decide(request, found)
        if (decided instanceof Promise) {
          return decided.then(
            (tenant) => settle(scope, tenant),
            (error) => reject(scope, error),
          )
        }
        return settle(scope, decided)
      } catch (error) {
        return reject(scope, error)
      }
    },
  }
}

function checkAllowed(allowed: unknown, found: ResolvedTenant): ResolvedTenant {
  if (allowed === true) return found
  throw new TenantError('TENANT_FORBIDDEN', 'This request may not act for the requested tenant.')
}

function normalizeSources(
  resolve: TraciumTenantOptions['resolve'],
  packageName: string,
): TenantSource[] {
  const inputs =
    resolve === undefined ? [fromHeader()] : Array.isArray(resolve) ? resolve : [resolve]
  if (inputs.length === 0) {
    optionsError(
      packageName,
      'option "resolve" is an empty list; give at least one source, e.g. fromHeader().',
    )
  }
  return inputs.map((input, i) => {
    const factory = FACTORIES.get(input)
    if (factory !== undefined) {
      optionsError(
        packageName,
        `option "resolve"[${i}] is the source factory itself; call it to make a source, e.g. ` +
          `resolve: ${factory}.`,
      )
    }
    const ok =
      typeof input === 'function' ||
      (typeof input === 'object' && input !== null && typeof input.read === 'function')
    if (!ok) {
      optionsError(
        packageName,
        `option "resolve"[${i}] is not a source. Use fromHeader(), fromJwt(), fromSubdomain(), ` +
          'fromPath(), fromQuery(), fromCookie() or a function (request) => tenantId.',
      )
    }
    return toSource(input as TenantSource)
  })
}
