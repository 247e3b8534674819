/**
 * `req.tenant` for the adapters that expose the resolved tenant on Node's request object
 * (Express, and Nest on either platform), at a cost that does not show per request.
 *
 * Express gives every request its app's prototype (`Object.setPrototypeOf(req, app.request)`),
 * and a property added to such an object afterwards is slow: `req.tenant = tenant` alone was
 * most of the header source's cost on Express (bench/inproc.js: about 30 µs of the 35 µs it
 * added over the floor on a loaded machine, 3 µs without it). So on Express the value goes to
 * `res.locals`, the null-prototype object Express makes for each request's own data, and
 * `req.tenant` is an accessor on Express's base request prototype, defined once, that reads it
 * there. Requests of other servers (Nest on Fastify hands middleware Node's raw request) get
 * a plain property, which costs nothing special.
 */
import { IncomingMessage } from 'node:http'
import type { ResolvedTenant } from '../resolution/resolver.js'

// In the global symbol registry, so two copies of core (S8) share the slot and the accessor.
const kTenant = Symbol.for('@tracium/core:request-tenant')
const kAccessor = Symbol.for('@tracium/core:request-tenant-accessor')

interface TenantSlot {
  [kTenant]?: ResolvedTenant
}
type ExpressLikeResponse = { locals?: TenantSlot }
type RequestWithTenant = { tenant?: ResolvedTenant | undefined; res?: ExpressLikeResponse }

/**
 * Makes `req.tenant` return `tenant` for the rest of the request (and after it), without adding
 * a property to an Express request. `res` is the request's response (Express's, with `locals`,
 * or any other).
 *
 * @example
 * ```ts
 * resolveInScope(resolver, scope, request, (tenant) => {
 *   exposeRequestTenant(req, res, tenant) // then req.tenant?.id
 *   next()
 * }, reject)
 * ```
 */
export function exposeRequestTenant(req: object, res: object, tenant: ResolvedTenant): void {
  const locals = (res as ExpressLikeResponse).locals
  if (locals !== undefined && (kAccessor in req || defineAccessor(req))) {
    locals[kTenant] = tenant
  } else {
    ;(req as RequestWithTenant).tenant = tenant
  }
}

/**
 * Defines `tenant` on the prototype right above `http.IncomingMessage.prototype` in `req`'s
 * chain: Express's own `request` object, which every app's (and mounted sub-app's) request
 * prototype inherits from. Returns `false` when `req` has no such prototype (not Express).
 */
function defineAccessor(req: object): boolean {
  let proto = Object.getPrototypeOf(req) as object | null
  while (proto !== null && Object.getPrototypeOf(proto) !== IncomingMessage.prototype) {
    proto = Object.getPrototypeOf(proto) as object | null
  }
  if (proto === null || proto === IncomingMessage.prototype) return false
  Object.defineProperty(proto, 'tenant', {
    configurable: true,
    get(this: RequestWithTenant) {
      return this.res?.locals?.[kTenant]
    },
    // An app that assigns `req.tenant` itself gets a plain property, as it would without us.
    set(this: RequestWithTenant, value: unknown) {
      Object.defineProperty(this, 'tenant', { value, writable: true, configurable: true })
    },
  })
  Object.defineProperty(proto, kAccessor, { value: true })
  return true
}
