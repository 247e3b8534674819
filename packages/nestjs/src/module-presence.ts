/**
 * Misuse detection: `TenantGuard`, `TenantInterceptor` and `@Tenant()` used in an app that never
 * imported `TraciumTenantModule`. Without the module no request has a scope, so every request
 * would read `null` (a silent 401 for `@RequireTenant()`); these helpers say so instead.
 */
import { TraciumOptionsError } from '@tracium/core'

const PACKAGE = '@tracium/nestjs'
let moduleCreated = false
let warned = false

/** Called by `TraciumTenantModule`'s constructor: the module is part of the app. */
export function markModuleCreated(): void {
  moduleCreated = true
}

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
 * For `@Tenant()`, which Nest gives no start-up hook: warns once, at the first read in an app
 * without the module, outside production.
 */
export function warnIfModuleMissing(what: string): void {
  if (moduleCreated || warned || process.env.NODE_ENV === 'production') return
  warned = true
  process.emitWarning(missingModuleMessage(what), { code: 'TRACIUM_NEST_MODULE_MISSING' })
}
