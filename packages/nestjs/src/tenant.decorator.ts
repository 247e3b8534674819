import { createParamDecorator, type ExecutionContext } from '@nestjs/common'
import { getCurrentTenant } from '@tracium/core'
import { warnIfNoScope } from './module-presence.js'
import { tenantOfRequest } from './tenant.guard.js'

/** Options of {@link Tenant}. */
export interface TenantParamOptions {
  /**
   * Throw `TenantError('TENANT_MISSING')` (401 via `TenantExceptionFilter`) when the request has
   * no tenant, so the parameter is a `string`. Default: `false` (the parameter may be `null`).
   */
  required?: boolean
}

/**
 * A route-handler parameter with the current tenant id: `string | null`, or `string` with
 * `{ required: true }`. It reads the tenant when the handler is called, so a `setTenant()` in
 * a guard or interceptor before it is seen. Outside any tenant scope (no `TraciumTenantModule`, or a gateway
 * without `@UseTenantScope()`) it warns once (outside production), naming the fix.
 *
 * @example
 * ```ts
 * @Post('chat')
 * chat(@Tenant() tenant: string | null, @Tenant({ required: true }) id: string) {}
 * ```
 */
export const Tenant: (options?: TenantParamOptions) => ParameterDecorator = createParamDecorator(
  (options: TenantParamOptions | undefined, context: ExecutionContext) => {
    // Param decorators have no start-up hook; without the module every read is null, so say so.
    warnIfNoScope(context, '@Tenant()')
    return options?.required ? tenantOfRequest() : getCurrentTenant()
  },
)
