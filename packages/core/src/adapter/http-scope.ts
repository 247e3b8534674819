/**
 * The per-request steps every adapter over Node's HTTP server shares, so that each adapter only
 * translates its framework's request and error (DESIGN: adapters thin over the core).
 */
import { EventEmitter } from 'node:events'
import { scopeCloseChannel } from '../events.js'
import {
  bindHttpStreams,
  boundScopeOf,
  type HttpRequestStream,
  type HttpResponseStream,
  unbindHttpStreams,
} from '../propagation/http-streams.js'
import { openRequestScope, RESOLUTION, type RequestScope } from '../request-scope.js'
import type { TenantRequest } from '../resolution/request.js'
import type { ResolvedTenant, TenantResolver } from '../resolution/resolver.js'
import { unwatchConnection, watchConnection } from './queued-responses.js'

const addListener = EventEmitter.prototype.on

/**
 * Opens the scope of one HTTP request (S1), closes it when the response closes, finished or
 * aborted, or when the connection is gone before the response could start (S2), and binds the
 * request's streams to it: Node emits later body chunks, and a response's `finish`, from the
 * socket's context, so handlers reading uploads would lose the tenant (S7). Takes Node's
 * `http` objects and the `node:http2` compatibility API's alike.
 *
 * Called again for a request whose scope is open (the middleware mounted twice, on the app and
 * on a router), it returns that scope, and {@link resolveInScope} continues without resolving
 * again: a tenant the app set in between with `setTenant()` stays.
 *
 * @param url the request target as received (frameworks may rewrite `req.url`).
 * @param routeOf the matched route pattern, asked for when the response closes.
 * @example
 * ```ts
 * const scope = openHttpScope(req, res, req.originalUrl, () => req.route?.path)
 * ```
 */
export function openHttpScope(
  req: HttpRequestStream,
  res: HttpResponseStream,
  url: string,
  routeOf?: () => string | undefined,
): RequestScope {
  const open = boundScopeOf(req)
  if (open !== undefined && !open.closed) return open as RequestScope
  const scope = openRequestScope({ method: req.method ?? 'GET', url })
  // One listener for the response and, rarely, the connection: no second closure.
  function close() {
    if (scope.closed) return
    unbindHttpStreams(req)
    if (queuedOn !== undefined) unwatchConnection(queuedOn, close)
    // How the request ended is only for diagnostics subscribers (the SDK). Without one, skip
    // routeOf: Fastify's request.routeOptions builds a fresh object on every read.
    scope.close(
      scopeCloseChannel.hasSubscribers
        ? { aborted: !res.writableFinished, statusCode: res.statusCode, route: routeOf?.() }
        : undefined,
    )
  }
  // `on`, not `once`: a response closes once, and once() allocates a wrapper per request.
  // EventEmitter's own `on`, not the response's bound one: the streams are not bound yet, and
  // the bound one's lookup reads `res.req` and `req.socket`, slow on Express (every request
  // and response there has a map of its own: expressjs/express#5998, nodejs/node#37457).
  addListener.call(res, 'close', close)
  // Node 20 never emits 'close' on a response still queued behind another one on a pipelined
  // connection when the client goes away (issue 9 #8). Such a response has no socket yet (Node
  // assigns it one when the responses before it are done), so only then is the connection
  // watched too, until the response closes (queued-responses.ts). Not on every request: a
  // listener on the request's own 'close' cost a Fastify server about 9 µs of CPU a request.
  const queuedOn = (res as { socket?: unknown }).socket === null ? req.socket : undefined
  if (queuedOn !== undefined) watchConnection(queuedOn, close)
  bindHttpStreams(req, scope)
  return scope
}

/**
 * Resolves the tenant of `request` inside `scope` and continues with `accept(tenant)` or
 * `reject(error)`, synchronously when resolution is (no promise, no microtask), else once it
 * settles. Returns what they return. For a scope that was resolved already (a second mount of the
 * middleware in the same request), continues with that tenant at once, without resolving.
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
  // The middleware mounted twice: this request resolved already; continue with that (issue 9),
  // once this mount's own rules agree with it. A first mount that found no tenant (and no
  // setTenant() since) leaves this one to resolve as usual.
  const resolved = scope[RESOLUTION] as ResolvedTenant | undefined
  if (resolved !== undefined && (resolved.id !== null || scope.tenantId !== null)) {
    return scope.run(() => {
      let checked: undefined | Promise<undefined>
      try {
        checked = resolver.checkReused(request, scope, resolved)
      } catch (error) {
        return reject(error)
      }
      return checked === undefined ? accept(resolved) : checked.then(() => accept(resolved), reject)
    })
  }
  return scope.run(() => {
    let tenant: ResolvedTenant | Promise<ResolvedTenant>
    try {
      tenant = resolver.resolve(request, scope)
    } catch (error) {
      return reject(error)
    }
    if (tenant instanceof Promise) {
      return tenant.then((settled) => {
        scope[RESOLUTION] = settled
        return accept(settled)
      }, reject)
    }
    scope[RESOLUTION] = tenant
    return accept(tenant)
  })
}
