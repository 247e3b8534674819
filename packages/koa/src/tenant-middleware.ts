/**
 * The Koa adapter: translates the context for core, opens the scope, answers rejections.
 * All tenant behaviour lives in @tracium/core.
 */
import {
  createTenantResolver,
  handleRejection,
  KOA_ROUTER_PATH_RULES,
  openHttpScope,
  type ResolvedTenant,
  resolveInScope,
  type TraciumTenantOptions,
} from '@tracium/core'
import type { Context, Middleware, Next } from 'koa'
import { sendProblem, watchApp } from './app-errors.js'

// @types/koa declares `interface DefaultState extends DefaultStateExtends {}` (`any`) "to be
// augmented by users"; `ctx.state` is typed `DefaultState` unless an app passes its own StateT.
declare module 'koa' {
  interface DefaultState {
    /** The tenant Tracium resolved for this request: `{ id, source, claims? }`. */
    tenant?: ResolvedTenant
  }
}

/** Options of {@link traciumTenant}: the shared `TraciumTenantOptions` of `@tracium/core`. */
export type TraciumKoaOptions = TraciumTenantOptions

/**
 * Koa middleware that runs the rest of the middleware chain in the request's own tenant scope
 * (S1), resolves the tenant (default: the `X-Tenant-ID` header) and exposes it as
 * `ctx.state.tenant`, to `getCurrentTenant()` and to everything downstream calls. Mount it
 * first, before body parsers and routers.
 *
 * A rejected request gets the error's status and an `application/problem+json` body, or, with
 * `rejections: 'forward'`, the `TenantError` is thrown into Koa's error path (`try/catch` around
 * `await next()` upstream, then `app.on('error')`). A `TenantError` that no middleware of yours
 * answers, forwarded or thrown by your own code (`requireTenant()`), ends in Koa's
 * `ctx.onerror`, which the adapter makes answer it with the same problem+json body (Koa's own
 * would send the developer message as text).
 *
 * Only middleware registered AFTER this one runs in the scope: code after `await next()` in a
 * middleware mounted before it (e.g. a top-level error handler) reads `null`; it can read
 * `ctx.state.tenant`.
 *
 * @param options see `TraciumTenantOptions`. Default: `{}` (header source, tenant optional).
 * @throws {TraciumOptionsError} at once for options that cannot work (E3).
 * @example
 * ```ts
 * import Koa from 'koa'
 * import { getCurrentTenant, traciumTenant } from '@tracium/koa'
 *
 * const app = new Koa()
 * app.use(traciumTenant({ required: true }))
 * app.use(async (ctx) => {
 *   ctx.body = { tenant: getCurrentTenant(), sameAs: ctx.state.tenant?.id }
 * })
 * ```
 */
export function traciumTenant(options: TraciumKoaOptions = {}): Middleware {
  // Koa has no router of its own; `exclude` and `fromPath` follow @koa/router's defaults
  // (`sensitive: false`, `strict: false`): https://github.com/koajs/router/blob/master/API.md
  const resolver = createTenantResolver(options, {
    packageName: '@tracium/koa',
    pathRules: KOA_ROUTER_PATH_RULES,
  })

  return function traciumTenantMiddleware(ctx: Context, next: Next) {
    watchApp(ctx, traciumTenantMiddleware)
    // Opens the scope, closes it with ctx.res and binds ctx.req's listeners to it (S1, S2, S7).
    const scope = openHttpScope(ctx.req, ctx.res, ctx.originalUrl, () => routeOf(ctx))
    const request = {
      method: ctx.method,
      url: ctx.originalUrl,
      headers: ctx.headers,
      rawHeaders: ctx.req.rawHeaders,
      raw: ctx,
    }
    // The rest of the chain runs inside the scope: `next()` is called from `accept`. A
    // synchronous throw from `reject` is fine: koa-compose turns it into the rejection that
    // upstream middleware awaits.
    return resolveInScope<unknown>(
      resolver,
      scope,
      request,
      (tenant) => {
        ctx.state.tenant = tenant
        return next()
      },
      // Forwarded by a rethrow, not ctx.throw(status, message): upstream catch blocks and
      // app.on('error') then get the TenantError itself (code, cause, isTenantError()), not an
      // http-errors copy.
      (error) =>
        handleRejection(
          error,
          resolver.rejections,
          (problem) => sendProblem(ctx, problem),
          (forwarded) => {
            throw forwarded
          },
        ),
    )
  }
}

function routeOf(ctx: Context): string | undefined {
  // Set by @koa/router to the matched layer's path, e.g. `/users/:id`.
  const route: unknown = ctx._matchedRoute
  return typeof route === 'string' ? route : undefined
}
