/**
 * `TraciumTenantOptions`: the one options type every adapter takes, and its check (E3), done once
 * when the middleware is created or the plugin registered.
 */
import type { JWTPayload } from 'jose'
import { validateTenantId } from '../tenant-id.js'
import { createTenantIdCheck, type TenantIdPolicy } from '../tenant-id-policy.js'
import type { PathRules } from './path-rules.js'
import type { TenantRequest } from './request.js'
import type { TenantSourceInput } from './source.js'

/** Extra facts `authorize` gets about the tenant it is asked about. */
export interface AuthorizeDetails {
  /** Name of the source that produced the tenant, e.g. `jwt:tenant_id`. */
  readonly source: string
  /** The verified token claims, when the tenant came from `fromJwt`. */
  readonly claims?: JWTPayload
}

/**
 * Paths that skip tenant resolution (R6): exact paths (`'/health'`), prefixes ending in `/*`
 * (`'/public/*'`), regular expressions tested on the path, or a predicate. Paths follow the
 * router's rule (`pathMatching`); RegExps and predicates see the path as received.
 */
export type ExcludeOption = ReadonlyArray<string | RegExp> | ((request: TenantRequest) => boolean)

/**
 * Options of every Tracium tenant adapter (`@tracium/express`, `@tracium/fastify`, `@tracium/koa`,
 * `@tracium/nestjs`). Checked once, when the middleware is created (E3).
 *
 * @example
 * ```ts
 * const options: TraciumTenantOptions = {
 *   resolve: [fromJwt({ secret: process.env.JWT_SECRET!, claim: 'org_id' }), fromSubdomain({ baseDomain: 'app.example.com' })],
 *   required: true,
 *   exclude: ['/health'],
 *   authorize: async (tenantId, req, { claims }) => claims?.sub !== undefined && (await isMember(claims.sub, tenantId)),
 * }
 * ```
 */
export interface TraciumTenantOptions {
  /**
   * Where the tenant comes from: one source or an ordered list, tried in order; the first value
   * wins (R2). A source is `fromHeader()`, `fromJwt()`, `fromSubdomain()`, `fromPath()`,
   * `fromQuery()`, `fromCookie()` or a function of the request.
   * Default: `fromHeader()` (the `X-Tenant-ID` header).
   */
  resolve?: TenantSourceInput | ReadonlyArray<TenantSourceInput>
  /**
   * Read every source; all that yield a value must yield the same one, else `TENANT_CONFLICT`
   * (403). Use it when a header must agree with the token's claim. Default: `false`.
   */
  consensus?: boolean
  /** Reject a request without a tenant with `TENANT_MISSING` (401). Default: `false`. */
  required?: boolean
  /**
   * The tenant of a request no source gave one for, e.g. `'anonymous'` (R4). It is not passed to
   * `authorize`. It must pass the `tenantId` policy. Default: none (the tenant is `null`).
   */
  defaultTenant?: string
  /**
   * A stricter rule for tenant ids than the default (S6: 1–255 characters, no control
   * characters, no edge white space, which lets `../etc`, `<script>` and look-alike Unicode
   * through): a `pattern` the whole id must match, a `validate` function, and opt-in
   * `normalize: 'NFC'`. Applied to every id a source yields and to `defaultTenant`; a refused
   * id is `TENANT_INVALID` (400). Ready-made: `SLUG_TENANT_ID`, `UUID_TENANT_ID`,
   * `ASCII_TENANT_ID`. Default: none (S6 only, at no extra cost).
   *
   * @example
   * ```ts
   * traciumTenant({ tenantId: UUID_TENANT_ID })
   * traciumTenant({ tenantId: { pattern: /org_[0-9]+/, normalize: 'NFC' } })
   * ```
   */
  tenantId?: TenantIdPolicy
  /**
   * Decides whether the request may act as the resolved tenant (R5), e.g. a membership check.
   * Sync or async; only `true` allows, anything else is `TENANT_FORBIDDEN` (403). A `TenantError`
   * it throws is answered as such; any other error goes to the framework's error handling.
   * Default: every resolved tenant is allowed.
   */
  authorize?: (
    tenantId: string,
    request: TenantRequest,
    details: AuthorizeDetails,
  ) => boolean | Promise<boolean>
  /**
   * Paths that skip resolution; their scope still opens with no tenant (R6). Path entries match
   * as the framework's router does (see `pathMatching`): on Express and Koa `'/health'` also
   * excludes `/HEALTH` and `/health/`; on Fastify it does not, but `/%68ealth` (which Fastify
   * routes to `/health`) is excluded. RegExps are tested on the path as received, with their
   * own flags (add `i` for a case-insensitive router). Default: none.
   */
  exclude?: ExcludeOption
  /**
   * How `exclude` paths and `fromPath` patterns match the request path. Default: the framework's
   * own rule, as the adapter reads it: Express: the app's 'case sensitive routing' and 'strict
   * routing' settings (both off by default); Fastify: the server's `routerOptions.caseSensitive`
   * (default `true`) and `ignoreTrailingSlash` (default `false`), on the decoded path; Koa:
   * @koa/router's defaults (case-insensitive, not strict); Nest: its platform's. Set the fields
   * your router differs in, e.g. for `express.Router({ caseSensitive: true })` or
   * `new Router({ sensitive: true })` on Koa, which the middleware cannot see.
   *
   * @example
   * ```ts
   * traciumTenant({ exclude: ['/health'], pathMatching: { caseSensitive: true } })
   * ```
   */
  pathMatching?: Partial<PathRules>
  /**
   * What the middleware does with a request it rejects (E2). `'respond'`: answer at once with
   * the error's status and an `application/problem+json` body. `'forward'`: hand the
   * `TenantError` to the framework's own error path (`next(err)`, Fastify's error handler, a
   * rethrow into Koa's upstream middleware, Nest exception filters); if no handler of yours
   * answers it, the adapter's own error handling answers it with the same problem+json body.
   * Default: `'respond'`.
   */
  rejections?: RejectionMode
}

/** Values of the `rejections` option: answer a rejected request, or forward its error. */
export type RejectionMode = 'respond' | 'forward'

/** An option that cannot work, found when the middleware is created (E3). */
export class TraciumOptionsError extends TypeError {
  /** Always `TRACIUM_INVALID_OPTIONS`. */
  readonly code = 'TRACIUM_INVALID_OPTIONS'

  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'TraciumOptionsError'
  }
}

/** Throws a {@link TraciumOptionsError} whose message starts with `packageName`. */
export function optionsError(packageName: string, message: string, cause?: unknown): never {
  throw new TraciumOptionsError(`${packageName}: ${message}`, { cause })
}

const KNOWN = new Set([
  'resolve',
  'consensus',
  'required',
  'defaultTenant',
  'tenantId',
  'authorize',
  'exclude',
  'pathMatching',
  'rejections',
])

/** Options renamed since an earlier release: the old name, and what to write instead. */
const RENAMED: Readonly<Record<string, string>> = {
  onError:
    'option "onError" is now "rejections", with the same values (\'respond\' or \'forward\'); ' +
    'the old name read like a callback.',
}

/** Checks `options` once; throws a {@link TraciumOptionsError} saying how to fix the first problem. */
export function checkOptions(options: TraciumTenantOptions, packageName: string): void {
  if (typeof options !== 'object' || options === null) {
    optionsError(packageName, 'options must be an object, e.g. { resolve: fromHeader() }.')
  }
  if (looksLikeRequest(options)) {
    optionsError(
      packageName,
      'the middleware factory was mounted without being called, so it got a request instead of ' +
        'options. Call it: app.use(traciumTenant()) or app.use(traciumTenant({ ... })).',
    )
  }
  for (const key of Object.keys(options)) {
    if (Object.hasOwn(RENAMED, key)) optionsError(packageName, RENAMED[key]!)
    if (!KNOWN.has(key)) {
      optionsError(
        packageName,
        `unknown option "${key}". Known options: ${[...KNOWN].join(', ')}. Source settings ` +
          'such as the header name or JWT secret go to the source, e.g. fromJwt({ secret }).',
      )
    }
  }
  for (const key of ['consensus', 'required'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'boolean') {
      optionsError(packageName, `option "${key}" must be true or false.`)
    }
  }
  checkTenantIdPolicy(options.tenantId, packageName)
  if (options.defaultTenant !== undefined) {
    try {
      ;(options.tenantId ? createTenantIdCheck(options.tenantId) : validateTenantId)(
        options.defaultTenant,
      )
    } catch (err) {
      optionsError(
        packageName,
        `option "defaultTenant" is not a valid tenant id: ${(err as Error).message}`,
      )
    }
    if (options.required) {
      optionsError(
        packageName,
        'options "required" and "defaultTenant" contradict each other: with a default tenant no ' +
          'request is ever missing one. Remove one of them.',
      )
    }
  }
  if (options.authorize !== undefined && typeof options.authorize !== 'function') {
    optionsError(
      packageName,
      'option "authorize" must be a function (tenantId, request) => boolean.',
    )
  }
  const { rejections } = options
  if (rejections !== undefined && rejections !== 'respond' && rejections !== 'forward') {
    optionsError(packageName, `option "rejections" must be 'respond' or 'forward'.`)
  }
  checkPathMatching(options.pathMatching, packageName)
  const { exclude } = options
  if (exclude !== undefined && typeof exclude !== 'function') {
    if (!Array.isArray(exclude)) {
      optionsError(packageName, 'option "exclude" must be an array of paths/RegExps or a function.')
    }
    for (const entry of exclude) {
      if (!(entry instanceof RegExp) && (typeof entry !== 'string' || !entry.startsWith('/'))) {
        optionsError(
          packageName,
          `option "exclude" has ${JSON.stringify(entry)}: use paths starting with "/" ` +
            "(e.g. '/health' or '/public/*'), RegExps, or a function.",
        )
      }
    }
  }
}

const PATH_RULE_KEYS = new Set(['caseSensitive', 'strict', 'decode'])

function checkPathMatching(value: unknown, packageName: string): void {
  if (value === undefined) return
  const fix = 'e.g. { caseSensitive: true, strict: false, decode: false } (each field optional).'
  if (typeof value !== 'object' || value === null) {
    optionsError(packageName, `option "pathMatching" must be an object, ${fix}`)
  }
  for (const [key, field] of Object.entries(value)) {
    if (!PATH_RULE_KEYS.has(key) || typeof field !== 'boolean') {
      optionsError(
        packageName,
        `option "pathMatching" has ${JSON.stringify(key)}: its fields are caseSensitive, strict ` +
          `and decode, each true or false, ${fix}`,
      )
    }
  }
}

const POLICY_KEYS = new Set(['pattern', 'validate', 'normalize'])

function checkTenantIdPolicy(policy: unknown, packageName: string): void {
  if (policy === undefined) return
  const example =
    'e.g. { pattern: /[a-z0-9-]{1,63}/ }, { validate: (id) => boolean } or SLUG_TENANT_ID.'
  if (typeof policy !== 'object' || policy === null) {
    optionsError(packageName, `option "tenantId" must be an object, ${example}`)
  }
  const { pattern, validate, normalize } = policy as Record<string, unknown>
  for (const key of Object.keys(policy)) {
    if (!POLICY_KEYS.has(key)) {
      optionsError(
        packageName,
        `option "tenantId" has unknown field "${key}": its fields are pattern, validate and ` +
          `normalize, ${example}`,
      )
    }
  }
  if (pattern !== undefined && !(pattern instanceof RegExp)) {
    optionsError(packageName, 'option "tenantId.pattern" must be a RegExp, e.g. /[a-z0-9-]{1,63}/.')
  }
  if (validate !== undefined && typeof validate !== 'function') {
    optionsError(packageName, 'option "tenantId.validate" must be a function (id) => boolean.')
  }
  if (normalize !== undefined && normalize !== 'NFC') {
    optionsError(
      packageName,
      `option "tenantId.normalize" must be 'NFC' (NFKC is not offered: it changes ids, see the ` +
        'README); leave it out to take ids as they are.',
    )
  }
}

/**
 * `app.use(traciumTenant)` (the factory itself, not called) makes Express call the factory with
 * `(req, res, next)` and Koa with `(ctx, next)`: the "options" are then a Node request or a Koa
 * context. Said plainly, instead of "unknown option socket".
 */
function looksLikeRequest(options: object): boolean {
  const candidate = options as { headers?: unknown; method?: unknown; req?: unknown }
  return (
    (typeof candidate.method === 'string' && typeof candidate.headers === 'object') ||
    (typeof candidate.req === 'object' && candidate.req !== null && 'socket' in candidate.req)
  )
}
