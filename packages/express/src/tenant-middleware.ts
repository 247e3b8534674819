/**
 * The Express adapter: translates the request for core, opens the scope, answers rejections.
 * All tenant behaviour lives in @tracium/core.
 */
import {
  createTenantResolver,
  exposeRequestTenant,
  expressPathRules,
  expressRoute,
  handleRejection,
  openHttpScope,
  type ResolvedTenant,
  resolveInScope,
  type TenantRequest,
  type TraciumTenantOptions,
} from '@tracium/core'
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import { sendProblem, watchApp } from './app-errors.js'

declare global {
  namespace Express {
    interface Request {
      /** The tenant Tracium resolved for this request: `{ id, source, claims? }`. */
      tenant?: ResolvedTenant
    }
  }
}

/** Options of {@link traciumTenant}: the shared `TraciumTenantOptions` of `@tracium/core`. */
export type TraciumExpressOptions = TraciumTenantOptions

/**
 * Express middleware that runs each request in its own tenant scope (S1), resolves the tenant
 * (default: the `X-Tenant-ID` header) and exposes it as `req.tenant`, to `getCurrentTenant()`
 * and to everything the request calls. Mount it first, before body parsers and routes.
 *
 * A rejected request gets the error's status and an `application/problem+json` body, or, with
 * `rejections: 'forward'`, goes to your error middleware as a `TenantError` via `next(err)`.
 * A `TenantError` your own code throws (`requireTenant()` in a handler) takes Express's error
 * path too: your error middleware sees it first, and one that passes it on (or none) leaves it
 * to the adapter's error handler at the end of the app, which answers with the same
 * problem+json body.
 *
 * @param options see `TraciumTenantOptions`. Default: `{}` (header source, tenant optional).
 * @throws {TraciumOptionsError} at once for options that cannot work (E3).
 * @example
 * ```ts
 * import express from 'express'
 * import { getCurrentTenant, traciumTenant } from '@tracium/express'
 *
 * const app = express()
 * app.use(traciumTenant({ required: true }))
 * app.post('/chat', async (req, res) => {
 *   res.json({ tenant: getCurrentTenant(), sameAs: req.tenant?.id })
 * })
 * ```
 */
export function traciumTenant(options: TraciumExpressOptions = {}): RequestHandler {
  const resolver = createTenantResolver(options, {
    packageName: '@tracium/express',
    pathRules: appPathRules,
  })

  return function traciumTenantMiddleware(req: Request, res: Response, next: NextFunction) {
    watchApp(req.app, traciumTenantMiddleware)
    const url = req.originalUrl
    const scope = openHttpScope(req, res, url, () => routeOf(req, url))
    const request = {
      method: req.method,
      url,
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      raw: req,
    }
    // Returned: Express 5 hands a rejected promise (an error thrown while answering an
    // asynchronous resolution) to next(err) instead of leaving it unhandled.
    return resolveInScope(
      resolver,
      scope,
      request,
      (tenant) => {
        exposeRequestTenant(req, res, tenant)
        next()
      },
      (error) =>
        handleRejection(error, resolver.rejections, (problem) => sendProblem(res, problem), next),
    )
  }
}

// Express's routing settings belong to the app (read once per app, and only when `exclude` or
// `fromPath` needs them): https://expressjs.com/en/5x/api.html#app.settings.table
function appPathRules(request: TenantRequest) {
  return expressPathRules((request.raw as Request).app)
}

// `url` is req.originalUrl, read once at the start: every read of an Express request is slow
// (its map is its own, expressjs/express#5998), and Express never changes it.
function routeOf(req: Request, url: string): string | undefined {
  return expressRoute(url, req.baseUrl, (req.route as { path?: unknown } | undefined)?.path)
}
