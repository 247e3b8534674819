/**
 * The tenant as a W3C Baggage list member (`tenant.id=<percent-encoded id>`,
 * https://www.w3.org/TR/baggage/), for OpenTelemetry users whose services already forward
 * `baggage`. Every scan here is one linear pass over the header.
 */
import { TenantError } from '../errors.js'

/** The baggage key that carries the tenant: `tenant.id`. */
export const TENANT_BAGGAGE_KEY = 'tenant.id'

// The W3C limits a platform must propagate: beyond them members may be dropped anywhere on the
// way, and ours would be the one that broke the header.
const MAX_MEMBERS = 64
const MAX_BYTES = 8192

/**
 * The list member to add to a request whose `baggage` header values are `existing`, or `null`
 * when it must not be added: a `tenant.id` member is already there (the caller chose it), or
 * adding one would cross the W3C limits (64 members, 8192 bytes).
 */
export function tenantBaggageMember(
  existing: ReadonlyArray<string>,
  tenantId: string,
): { member: string } | { skipped: 'present' | 'limit' } {
  // encodeURIComponent leaves only characters that are baggage-octets, and receivers
  // percent-decode values, so any tenant id round-trips exactly.
  const member = `${TENANT_BAGGAGE_KEY}=${encodeURIComponent(tenantId)}`
  let members = 1
  let bytes = member.length
  for (const value of existing) {
    bytes += Buffer.byteLength(value) + 1
    for (const item of value.split(',')) {
      if (item.trim() === '') continue
      members++
      if (keyOf(item) === TENANT_BAGGAGE_KEY) return { skipped: 'present' }
    }
  }
  if (members > MAX_MEMBERS || bytes > MAX_BYTES) return { skipped: 'limit' }
  return { member }
}

/**
 * Reads the value of `key` from `baggage` header value(s), percent-decoded and without
 * properties; `null` when absent.
 *
 * @throws {TenantError} `TENANT_INVALID` when the key appears more than once or its value is not
 *   valid percent-encoding: picking one, or a mangled id, would be a guess.
 */
export function readBaggageValue(
  baggage: string | ReadonlyArray<string> | undefined,
  key: string,
): string | null {
  if (baggage === undefined) return null
  const values = typeof baggage === 'string' ? [baggage] : baggage
  let found: string | null = null
  for (const value of values) {
    for (const item of value.split(',')) {
      if (keyOf(item) !== key) continue
      if (found !== null) throw invalid('the baggage header names it more than once')
      const equals = item.indexOf('=')
      const properties = item.indexOf(';', equals)
      const raw = item.slice(equals + 1, properties === -1 ? undefined : properties).trim()
      try {
        found = decodeURIComponent(raw)
      } catch (cause) {
        throw invalid('its baggage value is not valid percent-encoding', cause)
      }
    }
  }
  return found
}

function keyOf(item: string): string {
  const equals = item.indexOf('=')
  return (equals === -1 ? item : item.slice(0, equals)).trim()
}

function invalid(why: string, cause?: unknown): TenantError {
  return new TenantError('TENANT_INVALID', `Invalid tenant: ${why}.`, { cause })
}
