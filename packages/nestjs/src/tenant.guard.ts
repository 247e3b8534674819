import { applyDecorators, type CanActivate, Injectable, UseGuards } from '@nestjs/common'
import { getCurrentTenant, TenantError } from '@tracium/core'

/**
 * A guard that lets a request through only when it has a tenant; otherwise it throws
 * `TenantError('TENANT_MISSING')`, which `TenantExceptionFilter` answers with 401
 * `application/problem+json`. Use it with {@link RequireTenant}, `@UseGuards(TenantGuard)`, or
 * globally (`{ provide: APP_GUARD, useClass: TenantGuard }`).
 */
@Injectable()
export class TenantGuard implements CanActivate {
  canActivate(): true {
    tenantOfRequest()
    return true
  }
}

/** The current tenant; a client-facing `TENANT_MISSING` (401) without one. */
export function tenantOfRequest(): string {
  const tenant = getCurrentTenant()
  if (tenant !== null) return tenant
  throw new TenantError('TENANT_MISSING', 'This endpoint needs a tenant and none was found.')
}

/**
 * Requires a tenant for a controller or one route (401 problem+json without one), for apps
 * where the tenant is optional elsewhere. Same as `@UseGuards(TenantGuard)`.
 *
 * @example
 * ```ts
 * @Controller('usage')
 * @RequireTenant()
 * export class UsageController {}
 * ```
 */
export function RequireTenant(): ClassDecorator & MethodDecorator {
  return applyDecorators(UseGuards(TenantGuard))
}
