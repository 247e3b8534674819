/**
 * `@SkipTenant()`: a route that does without the tenant a global `required: true` demands.
 *
 * Why it is built on middleware routing and not a guard: Nest runs module middleware before
 * routing, so `TenantMiddleware` cannot see handler metadata, and a guard that rejected instead
 * would answer through the exception filters (an app's `@Catch()` filter would see every
 * missing tenant). So at start-up the module collects the routes marked `@SkipTenant()` and
 * mounts, for those routes only, a twin middleware whose resolver has `required: false`; every
 * other route keeps the middleware that rejects. Both use Nest's own route matching
 * (`exclude()`/`forRoutes()` with `{ path, method, version }`), global prefix included.
 */

import type { MiddlewareConsumer } from '@nestjs/common'
import { Inject, Injectable, type RequestMethod, SetMetadata, type Type } from '@nestjs/common'
import type { ModulesContainer } from '@nestjs/core'
import type { TenantResolver } from '@tracium/core'
import { TenantMiddleware } from './tenant.middleware.js'

/** Metadata key of {@link SkipTenant}. */
export const SKIP_TENANT_METADATA = '@tracium/nestjs:skip-tenant'

/** Injection token of the resolver with `required: false`, built only when `required` is set. */
export const TRACIUM_OPTIONAL_RESOLVER = Symbol('@tracium/nestjs:optional-resolver')

/**
 * Exempts a controller or one route (HTTP, WebSocket or microservice handler) from the module's
 * `required: true`: the tenant is still resolved when the request carries one, and a missing
 * one is `null` instead of a 401. An invalid tenant or token is still rejected.
 *
 * @example
 * ```ts
 * @Controller()
 * export class HealthController {
 *   @Get('health')
 *   @SkipTenant()
 *   health() { return { ok: true } }
 * }
 * ```
 */
export function SkipTenant(): ClassDecorator & MethodDecorator {
  return SetMetadata(SKIP_TENANT_METADATA, true)
}

/** `TenantMiddleware` with the `required: false` resolver, mounted for `@SkipTenant()` routes. */
@Injectable()
export class OptionalTenantMiddleware extends TenantMiddleware {
  constructor(@Inject(TRACIUM_OPTIONAL_RESOLVER) resolver: TenantResolver) {
    super(resolver)
  }
}

// The metadata keys of @nestjs/common's route decorators (`@nestjs/common/constants`).
const PATH_METADATA = 'path'
const METHOD_METADATA = 'method'
const VERSION_METADATA = '__version__'

/** What `exclude()`/`forRoutes()` take: `{ path, method, version? }` (not exported by Nest). */
type RouteInfo = Exclude<
  Parameters<ReturnType<MiddlewareConsumer['apply']>['exclude']>[number],
  string
>

/** The routes of every controller in the app that carry `@SkipTenant()`. */
export function skippedRoutes(modules: ModulesContainer): RouteInfo[] {
  const routes: RouteInfo[] = []
  for (const module of modules.values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | null
      if (controller) routes.push(...routesOf(controller))
    }
  }
  return routes
}

function routesOf(controller: Type): RouteInfo[] {
  const skipAll = Reflect.getMetadata(SKIP_TENANT_METADATA, controller) === true
  const bases = paths(Reflect.getMetadata(PATH_METADATA, controller))
  const routes: RouteInfo[] = []
  for (const handler of handlers(controller.prototype)) {
    const method: RequestMethod | undefined = Reflect.getMetadata(METHOD_METADATA, handler)
    if (method === undefined) continue // not a route
    if (!skipAll && Reflect.getMetadata(SKIP_TENANT_METADATA, handler) !== true) continue
    const version =
      Reflect.getMetadata(VERSION_METADATA, handler) ??
      Reflect.getMetadata(VERSION_METADATA, controller)
    for (const base of bases) {
      for (const path of paths(Reflect.getMetadata(PATH_METADATA, handler))) {
        routes.push({ path: join(base, path), method, ...(version !== undefined && { version }) })
      }
    }
  }
  return routes
}

// biome-ignore lint/complexity/noBannedTypes: route handlers are any functions
function handlers(prototype: object): Function[] {
  // biome-ignore lint/complexity/noBannedTypes: see above
  const found = new Set<Function>()
  for (let p = prototype; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const name of Object.getOwnPropertyNames(p)) {
      const value = Object.getOwnPropertyDescriptor(p, name)?.value
      if (name !== 'constructor' && typeof value === 'function') found.add(value)
    }
  }
  return [...found]
}

function paths(value: unknown): string[] {
  if (Array.isArray(value)) return value.length ? value.map(String) : ['/']
  return [typeof value === 'string' ? value : '/']
}

function join(base: string, path: string): string {
  const joined = `/${base}/${path}`.replace(/\/{2,}/g, '/')
  return joined.length > 1 && joined.endsWith('/') ? joined.slice(0, -1) : joined
}
