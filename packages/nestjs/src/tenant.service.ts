import { Injectable } from '@nestjs/common'
import { getCurrentTenant, requireTenant, setTenant, withTenant } from '@tracium/core'

/**
 * The tenant API of `@tracium/core` as an injectable, for code that prefers DI to imports (and
 * for tests that replace it). Default (singleton) scope: it reads the tenant of the request it
 * is called in, so it needs no request-scoped providers.
 *
 * @example
 * ```ts
 * @Injectable()
 * export class ChatService {
 *   constructor(private readonly tenants: TenantService) {}
 *   answer() {
 *     return { tenant: this.tenants.requireTenant() }
 *   }
 * }
 * ```
 */
@Injectable()
export class TenantService {
  /** The current tenant, or `null` (no tenant, outside a request, or after it ended). */
  getCurrentTenant(): string | null {
    return getCurrentTenant()
  }

  /**
   * The current tenant.
   * @throws {TenantError} `TENANT_MISSING` (401) when there is none; `TENANT_SCOPE_CLOSED` after
   *   the request ended.
   */
  requireTenant(): string {
    return requireTenant()
  }

  /**
   * Sets the tenant for the rest of the current request (e.g. from the authenticated user).
   * @throws {TenantError} `TENANT_INVALID` (400) for an invalid id.
   */
  setTenant(tenantId: string | null): void {
    setTenant(tenantId)
  }

  /** Runs `fn` with `tenantId` in a nested scope; the request's own tenant is untouched. */
  withTenant<T>(tenantId: string | null, fn: () => T): T {
    return withTenant(tenantId, fn)
  }
}
