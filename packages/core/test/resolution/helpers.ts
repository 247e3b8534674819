import {
  createTenantResolver,
  openRequestScope,
  type ResolvedTenant,
  TenantError,
  type TenantErrorCode,
  type TenantRequest,
  type TenantSource,
  type TraciumTenantOptions,
} from '../../src/index.js'

/** A TenantRequest as an adapter would build it. */
export function req(
  init: Partial<Omit<TenantRequest, 'headers'>> & {
    headers?: Record<string, string | string[]>
  } = {},
): TenantRequest {
  return { method: 'GET', url: '/', ...init, headers: init.headers ?? {} }
}

/** Resolves `request` through a fresh resolver and scope; returns the tenant or the error. */
export async function resolve(
  options: TraciumTenantOptions,
  request: TenantRequest,
): Promise<{
  tenant?: ResolvedTenant
  code?: TenantErrorCode
  error?: unknown
  scopeTenant: string | null
}> {
  const scope = openRequestScope()
  try {
    const tenant = await scope.run(() => createTenantResolver(options).resolve(request, scope))
    return { tenant, scopeTenant: scope.tenantId }
  } catch (error) {
    if (error instanceof TenantError)
      return { code: error.code, error, scopeTenant: scope.tenantId }
    return { error, scopeTenant: scope.tenantId }
  }
}

/**
 * What `source` alone resolves `request` to, through the resolver (so S6 validation applies):
 * the tenant id, `null`, or the TenantError code. Any other error fails the test.
 */
export async function read(source: TenantSource, request: TenantRequest): Promise<string | null> {
  const { tenant, code, error } = await resolve({ resolve: source }, request)
  if (error !== undefined && code === undefined) throw error
  return code ?? tenant?.id ?? null
}
