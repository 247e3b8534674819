/**
 * What the adapter does once per Koa app, at the first request the middleware sees in it: make
 * Koa's last-resort error handling answer `TenantError`s with problem+json (E2), and say so
 * when a router was mounted before the middleware (its routes run without a tenant).
 */
import { isTenantError, type ProblemResponse, problemResponse, warnMisuse } from '@tracium/core'
import type Koa from 'koa'
import type { Context, Middleware } from 'koa'

/**
 * Answers a rejection through `ctx`. A string body keeps a Content-Type set before it (Koa's
 * body setter only sets one when none is there), so the answer stays application/problem+json.
 */
export function sendProblem(ctx: Context, { status, headers, body }: ProblemResponse): void {
  ctx.status = status
  ctx.set(headers)
  ctx.body = body
}

const kWatched = Symbol('@tracium/koa:watched')
type WatchedContext = Context & { [kWatched]?: true }

/**
 * Once per app: wraps `app.context.onerror`, the handler Koa calls for an error no middleware
 * caught, after upstream try/catch middleware had their turn and with `app.on('error')`
 * still told (issue 9: Koa answered a `TenantError` from app code as plain text, with the
 * developer message). The flag lives on `app.context` too, so the check per request is one
 * property read on the context's prototype.
 */
export function watchApp(ctx: Context, middleware: Middleware): void {
  if ((ctx as WatchedContext)[kWatched]) return
  const context = ctx.app.context as WatchedContext
  context[kWatched] = true
  const onerror = context.onerror
  context.onerror = function traciumOnerror(this: Context, error: unknown) {
    if (!isTenantError(error) || this.headerSent || !this.writable) {
      return onerror.call(this, error as Error)
    }
    this.app.emit('error', error, this) // as Koa's own onerror does
    const { res } = this
    for (const name of res.getHeaderNames()) res.removeHeader(name)
    const { status, headers, body } = problemResponse(error)
    res.writeHead(status, headers).end(body)
  }
  warnRouterBefore(ctx.app, middleware)
}

/** @koa/router's `routes()` middleware carries its router; mounted before us, it has no tenant. */
function warnRouterBefore(app: Koa, middleware: Middleware): void {
  const at = app.middleware.indexOf(middleware)
  if (at <= 0) return
  const routers = app.middleware.slice(0, at).filter((fn) => 'router' in fn)
  if (routers.length === 0) return
  warnMisuse(
    'koa:router-before-middleware',
    `@tracium/koa: traciumTenant() is mounted after ${routers.length} router(s); their routes ` +
      'run without a tenant. Mount app.use(traciumTenant()) before app.use(router.routes()).',
  )
}
