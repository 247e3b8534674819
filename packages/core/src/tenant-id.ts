import { TenantError } from './errors.js'

/** The longest tenant id, counted in Unicode code points (S6). */
export const MAX_TENANT_ID_LENGTH = 255

// Cc: C0 and C1 controls and DEL. They would let an id forge log lines or header values.
const CONTROL = /\p{Cc}/u
// \s with the u flag covers Unicode white space and the BOM; trimmed look-alikes are two tenants
// that read as one.
const EDGE_SPACE = /^\s|\s$/u

/**
 * Checks that `value` is a tenant id as DESIGN.md S6 defines it and returns it unchanged.
 *
 * A tenant id is a string of 1–255 Unicode code points with no control characters and no leading
 * or trailing white space. It must also be well-formed UTF-16 (no lone surrogate): a lone
 * surrogate turns into U+FFFD on the wire, so two different ids would be stored as one tenant.
 * UUIDs, slugs, `org_123456` and composites like `org_123:workspace_456` are valid.
 *
 * @throws {TenantError} `TENANT_INVALID` (HTTP 400) for anything else, with a message that says
 *   which rule failed but does not echo the value.
 * @example
 * ```ts
 * validateTenantId('org_123:workspace_456') // 'org_123:workspace_456'
 * validateTenantId(' acme')                 // throws TenantError TENANT_INVALID
 * ```
 */
export function validateTenantId(value: unknown): string {
  if (typeof value !== 'string') {
    throw invalid(`a tenant id must be a string, got ${describe(value)}`)
  }
  if (value.length === 0) throw invalid('a tenant id must not be empty')
  // Fast path: at most 255 UTF-16 units is at most 255 code points; above 510 units it is too long.
  if (value.length > MAX_TENANT_ID_LENGTH && codePointLength(value) > MAX_TENANT_ID_LENGTH) {
    throw invalid(`a tenant id must be at most ${MAX_TENANT_ID_LENGTH} characters`)
  }
  if (CONTROL.test(value)) throw invalid('a tenant id must not contain control characters')
  if (EDGE_SPACE.test(value)) {
    throw invalid('a tenant id must not start or end with white space')
  }
  if (!value.isWellFormed()) throw invalid('a tenant id must be well-formed Unicode')
  return value
}

function codePointLength(value: string): number {
  if (value.length > MAX_TENANT_ID_LENGTH * 2) return value.length
  let count = 0
  for (const _ of value) count++
  return count
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value
}

function invalid(message: string): TenantError {
  return new TenantError('TENANT_INVALID', `Invalid tenant id: ${message}.`)
}
