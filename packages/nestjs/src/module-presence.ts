/**
 * Misuse detection: `TenantGuard`, `TenantInterceptor` and `@Tenant()` used in an app that never
 * imported `TraciumTenantModule`. Without the module no request has a scope, so every request
 * would read `null` (a silent 401 for `@RequireTenant()`); these helpers say so instead.
 * `withTenant()` around a handler has no request scope either: the warning names the cause, and
 * is emitted once only.
 */
import type { ExecutionContext } from '@nestjs/common'
import { currentRequestScope, TraciumOptionsError } from '@tracium/core'

const PACKAGE = '@tracium/nestjs'
let warned = false

/** The how-to-fix message for `what` used without the module. */
export function missingModuleMessage(what: string): string {
  return (
    `${PACKAGE}: ${what} needs TraciumTenantModule, which this app does not import, so no ` +
    'request has a tenant. Import TraciumTenantModule.forRoot() (or forRootAsync()) once, in ' +
    'the root module: @Module({ imports: [TraciumTenantModule.forRoot()] }).'
  )
}

/** Throws at start-up, from an enhancer's constructor that found no module provider. */
export function missingModule(what: string): never {
  throw new TraciumOptionsError(missingModuleMessage(what))
}

/**
 * For `@Tenant()`, which Nest gives no start-up hook: a handler whose request has no tenant
 * scope at all was not reached through the module's middleware (HTTP) or `TenantInterceptor`
 * (WebSocket, microservice). Warns once per process, outside production, naming the fix.
 */
export function warnIfNoScope(context: ExecutionContext, what: string): void {
  if (warned || currentRequestScope() !== null || process.env.NODE_ENV === 'production') return
  warned = true
  const message =
    context.getType() === 'http'
      ? missingModuleMessage(what)
      : `${PACKAGE}: ${what} in a ${context.getType()} handler that runs in no tenant scope, so ` +
        'it reads null. Mount the scope on the gateway or microservice controller with ' +
        '@UseTenantScope() (TraciumTenantModule must be imported too).'
  process.emitWarning(message, { code: 'TRACIUM_NEST_NO_SCOPE' })
}
