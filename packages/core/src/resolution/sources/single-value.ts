/**
 * R7 for every source that reads a raw request field: a value that arrives more than once, or
 * holds a comma list, names several tenants, and picking one would be a guess.
 */
import { TenantError } from '../../errors.js'

/** The single string in `value`, `null` when absent; `TENANT_INVALID` for several values. */
export function singleValue(value: unknown, where: string): string | null {
  if (value === undefined || value === null) return null
  if (Array.isArray(value)) {
    if (value.length === 0) return null
    if (value.length > 1) throw sentSeveral(where)
    value = value[0]
  }
  if (typeof value !== 'string') throw sentSeveral(where)
  if (value.includes(',')) throw sentSeveral(where)
  return value
}

/** The R7 error for `where` (e.g. `the x-tenant-id header`). */
export function sentSeveral(where: string): TenantError {
  return new TenantError(
    'TENANT_INVALID',
    `Invalid tenant: ${where} must hold exactly one tenant id, not several.`,
  )
}
