import {
  applyDecorators,
  type CanActivate,
  Inject,
  Injectable,
  Optional,
  UseGuards,
} from '@nestjs/common'
import { getCurrentTenant, TenantError, type TenantResolver } from '@tracium/core'
import { missingModule } from './module-presence.js'
import { TRACIUM_TENANT_RESOLVER } from './tenant.middleware.js'

/**
 * A guard that lets a request through only when it has a tenant; otherwise it throws
 * `TenantError('TENANT_MISSING')`, which `TenantExceptionFilter` answers with 401
 * `application/problem+json`. Use it with {@link RequireTenant}, `@UseGuards(TenantGuard)`, or
 * globally (`{ provide: APP_GUARD, useClass: TenantGuard }`).
 *
 * Nest builds guards at start-up: without `TraciumTenantModule` in the app, that fails with a
 * `TraciumOptionsError` saying to import it (instead of a 401 for every request). A guard
 * constructed by hand (`app.useGlobalGuards(new TenantGuard())`) is not checked.
 *
 * @example
 * ```ts
 * @UseGuards(TenantGuard)
 * @Get('usage')
 * usage(@Tenant() tenant: string) {}
 * ```
 */
@Injectable()
export class TenantGuard implements CanActivate {
  constructor(@Optional() @Inject(TRACIUM_TENANT_RESOLVER) resolver?: TenantResolver) {
    // Nest's injector passes every declared parameter (undefined for a missing optional one);
    // `new TenantGuard()` by hand (app.useGlobalGuards) passes none and keeps working.
    // biome-ignore lint/complexity/noArguments: the argument count is the signal here
    if (arguments.length > 0 && resolver === undefined) {
      missingModule('TenantGuard (@RequireTenant())')
    }
  }

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
