/**
 * What the adapter does once per Express app, at the first request the middleware sees in it:
 * add the error handler that answers `TenantError`s with problem+json (E2), and say so when
 * routes were registered before the middleware (they run without a tenant).
 */
import { handleRejection, type ProblemResponse, warnMisuse } from '@tracium/core'
import type { Application, ErrorRequestHandler, RequestHandler, Response } from 'express'

/** Writes a rejection with Express's response API, so `res` hooks of other middleware apply. */
export function sendProblem(res: Response, { status, headers, body }: ProblemResponse): void {
  res.status(status).set(headers).send(body)
}

/**
 * The last error handler of the app. Without it, a `TenantError` thrown by app code
 * (`requireTenant()` in a handler) would reach Express's final handler, which answers an HTML
 * page, and outside production with the stack in it.
 */
const answerTenantErrors: ErrorRequestHandler = function traciumTenantErrors(
  error,
  _req,
  res,
  next,
) {
  if (res.headersSent) return next(error) // Express then closes the connection
  handleRejection(error, 'respond', (problem) => sendProblem(res, problem), next)
}

const kWatched = Symbol('@tracium/express:watched')
type WatchedApp = Application & { [kWatched]?: true }

/**
 * Once per app: appends {@link answerTenantErrors} after everything the app has registered by
 * now, so the app's own error middleware sees a `TenantError` first (issue 9: one error
 * contract on every adapter). Done at the first request, not when the middleware is created:
 * only then are the app's routes and error handlers all registered.
 */
export function watchApp(app: Application, middleware: RequestHandler): void {
  if ((app as WatchedApp)[kWatched]) return
  ;(app as WatchedApp)[kWatched] = true
  app.use(answerTenantErrors)
  warnRoutesBefore(app, middleware)
}

interface Layer {
  readonly handle?: unknown
  readonly route?: { readonly path?: unknown }
}

/** Routes matched before the middleware run without a tenant: said once, naming them. */
function warnRoutesBefore(app: Application, middleware: RequestHandler): void {
  const stack = (app as { router?: { stack?: readonly Layer[] } }).router?.stack
  const at = stack?.findIndex((layer) => layer.handle === middleware) ?? -1
  if (at <= 0) return // mounted in a router or sub-app: its position in the app is not ours to judge
  const early = stack!.slice(0, at).flatMap((layer) => {
    const path = layer.route?.path
    return typeof path === 'string' ? [path] : []
  })
  if (early.length === 0) return
  warnMisuse(
    'express:routes-before-middleware',
    `@tracium/express: traciumTenant() is mounted after ${early.length} route(s) ` +
      `(${early.slice(0, 5).join(', ')}${early.length > 5 ? ', …' : ''}); they run without a ` +
      'tenant. Mount app.use(traciumTenant()) before the routes that need it.',
  )
}
