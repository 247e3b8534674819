/**
 * How a framework's router compares a request path with a route pattern. `exclude` paths and
 * `fromPath` patterns follow the same rule as the router they sit in front of: a path the router
 * sends to an excluded route is excluded, and `fromPath` only matches paths the router would
 * match with the same pattern.
 */
import type { TenantRequest } from './request.js'

/** A router's path-matching rule. Adapters state their framework's; see `pathMatching`. */
export interface PathRules {
  /** `/HEALTH` is not `/health`. */
  readonly caseSensitive: boolean
  /** A trailing slash matters: `/health/` is not `/health`. */
  readonly strict: boolean
  /**
   * The router compares the percent-decoded path (`/%68ealth` is `/health`), as Fastify's
   * find-my-way does; Express and @koa/router compare the path as received. Encoded reserved
   * characters (`%2F`, `%3F`, …) stay encoded either way, so they never split a segment.
   */
  readonly decode: boolean
}

/** The rule when no adapter states one: the path exactly as received. */
export const EXACT_PATH_RULES: PathRules = Object.freeze({
  caseSensitive: true,
  strict: true,
  decode: false,
})

/**
 * Express 5's rule for `app`: case-insensitive and not strict unless the app enables
 * 'case sensitive routing' / 'strict routing' (https://expressjs.com/en/5x/api.html#app.settings.table).
 * The app's router reads both settings once, when it is created, so reading them at the first
 * request and caching per app follows what the router does. Express matches the path as
 * received (route params are decoded, the path is not). A router made with
 * `express.Router({ caseSensitive, strict })` is invisible from a request: set `pathMatching`.
 *
 * @example
 * ```ts
 * expressPathRules(express()) // { caseSensitive: false, strict: false, decode: false }
 * ```
 */
export function expressPathRules(
  app: { enabled(setting: string): boolean } | undefined,
): PathRules {
  // No app (a bare `router` outside Express): its defaults, which are Express's.
  if (typeof app?.enabled !== 'function') return EXPRESS_DEFAULT_PATH_RULES
  let rules = expressRules.get(app)
  if (rules === undefined) {
    rules = Object.freeze({
      caseSensitive: app.enabled('case sensitive routing'),
      strict: app.enabled('strict routing'),
      decode: false,
    })
    expressRules.set(app, rules)
  }
  return rules
}
const expressRules = new WeakMap<object, PathRules>()
const EXPRESS_DEFAULT_PATH_RULES: PathRules = Object.freeze({
  caseSensitive: false,
  strict: false,
  decode: false,
})

/** What {@link fastifyPathRules} reads of `fastify.initialConfig`. */
export interface FastifyRoutingConfig {
  readonly caseSensitive?: boolean
  readonly ignoreTrailingSlash?: boolean
  readonly routerOptions?: {
    readonly caseSensitive?: boolean
    readonly ignoreTrailingSlash?: boolean
  }
}

/**
 * Fastify 5's rule from `fastify.initialConfig`: case-sensitive and strict by default
 * (`caseSensitive: true`, `ignoreTrailingSlash: false`; since 5.x they belong in
 * `routerOptions`, the top-level names are deprecated aliases that `routerOptions` overrides:
 * https://fastify.dev/docs/latest/Reference/Server/#routeroptions). find-my-way matches the
 * percent-decoded path.
 *
 * @example
 * ```ts
 * fastifyPathRules(Fastify().initialConfig) // { caseSensitive: true, strict: true, decode: true }
 * ```
 */
export function fastifyPathRules(config: FastifyRoutingConfig): PathRules {
  const router = config.routerOptions
  return Object.freeze({
    caseSensitive: router?.caseSensitive ?? config.caseSensitive ?? true,
    strict: !(router?.ignoreTrailingSlash ?? config.ignoreTrailingSlash ?? false),
    decode: true,
  })
}

/**
 * @koa/router's default rule: `sensitive: false`, `strict: false`
 * (https://github.com/koajs/router/blob/master/API.md#new-routeropts); it matches `ctx.path`
 * as received. Koa middleware cannot see the router's options: a router made with
 * `{ sensitive: true }` or `{ strict: true }` needs `pathMatching`.
 */
export const KOA_ROUTER_PATH_RULES: PathRules = Object.freeze({
  caseSensitive: false,
  strict: false,
  decode: false,
})

/** What an adapter gives: its framework's rule, or a function of the request that returns it. */
export type PathRulesInput = PathRules | ((request: TenantRequest) => PathRules)

/**
 * The rule the resolver applies: `override` (the user's `pathMatching`) over the adapter's.
 * A complete override never asks the adapter; a function's answers are merged once per object
 * it returns (adapters return one frozen object per app).
 */
export function effectivePathRules(
  adapter: PathRulesInput,
  override: Partial<PathRules> | undefined,
): (request: TenantRequest) => PathRules {
  const merge = (base: PathRules): PathRules =>
    override === undefined ? base : Object.freeze({ ...base, ...override })
  if (
    override?.caseSensitive !== undefined &&
    override.strict !== undefined &&
    override.decode !== undefined
  ) {
    const rules = merge(EXACT_PATH_RULES)
    return () => rules
  }
  if (typeof adapter !== 'function') {
    const rules = merge(adapter)
    return () => rules
  }
  if (override === undefined) return adapter
  let lastBase: PathRules | undefined
  let lastMerged: PathRules = EXACT_PATH_RULES
  return (request) => {
    const base = adapter(request)
    if (base !== lastBase) {
      lastBase = base
      lastMerged = merge(base)
    }
    return lastMerged
  }
}

/**
 * A path (or one segment) as the router compares it: decoded when the router decodes (reserved
 * characters stay encoded, as `decodeURI` keeps them), lower-cased when it ignores case. A badly
 * encoded path is compared as received (Fastify answers it 400 before any route).
 */
export function comparable(path: string, rules: PathRules): string {
  let p = path
  if (rules.decode && p.includes('%')) {
    try {
      p = decodeURI(p)
    } catch {}
  }
  return rules.caseSensitive ? p : p.toLowerCase()
}

/** Drops one trailing slash (not the root), as non-strict routers ignore one. */
export function withoutTrailingSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path
}
