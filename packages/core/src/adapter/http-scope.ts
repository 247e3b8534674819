/**
 * The per-request steps every adapter over Node's HTTP server shares, so that each adapter only
 * translates its framework's request and error (DESIGN: adapters thin over the core).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { scopeCloseChannel } from '../events.js'
import { bindRequestStream, unbindRequestStream } from '../propagation/request-stream.js'
import { openRequestScope, type RequestScope } from '../request-scope.js'
import type { TenantRequest } from '../resolution/request.js'
import type { ResolvedTenant, TenantResolver } from '../resolution/resolver.js'

/**
 * Opens the scope of one HTTP request (S1), closes it when the response closes, finished or
 * aborted (S2), and binds the request stream to it: Node emits later body chunks from the
 * socket's context, so handlers reading uploads would lose the tenant (S7).
 *
 * @param url the request target as received (frameworks may rewrite `req.url`).
 * @param routeOf the matched route pattern, asked for when the response closes.
 * @example
 * ```ts
 * const scope = openHttpScope(req, res, req.originalUrl, () => req.route?.path)
 * ```
 */
export function openHttpScope(
  req: IncomingMessage,
  res: ServerResponse,
  url: string,
  routeOf?: () => string | undefined,
): RequestScope {
  const scope = openRequestScope({ method: req.method ?? 'GET', url })
  // `on`, not `once`: a response closes once, and once() allocates a wrapper per request.
  res.on('close', () => {
    unbindRequestStream(req)
    // How the request ended is only for diagnostics subscribers (the SDK). Without one, skip
    // routeOf: Fastify's request.routeOptions builds a fresh object on every read.
    scope.close(
      scopeCloseChannel.hasSubscribers
        ? { aborted: !res.writableFinished, statusCode: res.statusCode, route: routeOf?.() }
        : undefined,
    )
  })
  bindRequestStream(req, scope)
  return scope
}

/**
 * Resolves the tenant of `request` inside `scope` and continues with `accept(tenant)` or
 * `reject(error)`, synchronously when resolution is (no promise, no microtask), else once it
 * settles. Returns what they return.
 *
 * @example
 * ```ts
 * resolveInScope(resolver, scope, request, (tenant) => { req.tenant = tenant; next() }, next)
 * ```
 */
export function resolveInScope<R>(
  resolver: TenantResolver,
  scope: RequestScope,
  request: TenantRequest,
  accept: (tenant: ResolvedTenant) => R,
  reject: (error: unknown) => R,
): R | Promise<R> {
  return scope.run(() => {
    let tenant: ResolvedTenant | Promise<ResolvedTenant>
    try {
      tenant = resolver.resolve(request, scope)
    } catch (error) {
      return reject(error)
    }
    return tenant instanceof Promise ? tenant.then(accept, reject) : accept(tenant)
  })
}
