/**
 * Carry the tenant across boundaries AsyncLocalStorage cannot cross: a queue message, an outgoing
 * HTTP call, a worker's data. The carrier is a plain header map, so the same two functions serve
 * HTTP headers, message attributes and `workerData`.
 */
import { TenantError } from '../errors.js'
import { getCurrentTenant } from '../tenant-context.js'
import { validateTenantId } from '../tenant-id.js'

/** The carrier key (and HTTP header) that holds the tenant: `x-tenant-id`. */
export const TENANT_CARRIER_KEY = 'x-tenant-id'

/** A plain header map, or anything with `get(name)` such as `Headers` or `Map`. */
export type TenantCarrier =
  | Record<string, unknown>
  | { get(name: string): unknown; set?(name: string, value: string): unknown }

/**
 * Writes the tenant into `carrier` under `x-tenant-id` and returns the carrier. With no tenant
 * the key is removed, so a reused carrier never carries an old tenant on.
 *
 * @param tenantId the tenant to write. Default: the current tenant.
 * @example
 * ```ts
 * await fetch(url, { headers: injectTenant({ accept: 'application/json' }) })
 * queue.send({ body, attributes: injectTenant({}) })
 * ```
 */
export function injectTenant<C extends Record<string, unknown>>(
  carrier: C,
  tenantId: string | null = getCurrentTenant(),
): C {
  const record = carrier as Record<string, unknown>
  for (const key of Object.keys(record)) {
    if (key.toLowerCase() === TENANT_CARRIER_KEY) delete record[key]
  }
  if (tenantId !== null) record[TENANT_CARRIER_KEY] = validateTenantId(tenantId)
  return carrier
}

/**
 * Reads the tenant from `carrier` (`x-tenant-id`, any letter case) and validates it; `null` when
 * absent. Run the work with it through `withTenant`.
 *
 * @throws {TenantError} `TENANT_INVALID` for a value that breaks S6, or for several values (an
 *   array or a comma list), which would otherwise make the tenant a guess (R7).
 * @example
 * ```ts
 * consumer.on('message', (msg) => withTenant(extractTenant(msg.attributes), () => handle(msg)))
 * ```
 */
export function extractTenant(carrier: TenantCarrier | null | undefined): string | null {
  if (carrier == null) return null
  const value = readKey(carrier)
  if (value === undefined || value === null) return null
  if (Array.isArray(value) || (typeof value === 'string' && value.includes(','))) {
    throw new TenantError(
      'TENANT_INVALID',
      'Invalid tenant id: the carrier holds more than one tenant.',
    )
  }
  return validateTenantId(value)
}

function readKey(carrier: TenantCarrier): unknown {
  if (typeof carrier.get === 'function' && !Object.hasOwn(carrier, 'get')) {
    return (carrier as { get(name: string): unknown }).get(TENANT_CARRIER_KEY)
  }
  const record = carrier as Record<string, unknown>
  if (Object.hasOwn(record, TENANT_CARRIER_KEY)) return record[TENANT_CARRIER_KEY]
  for (const key of Object.keys(record)) {
    if (key.toLowerCase() === TENANT_CARRIER_KEY) return record[key]
  }
  return undefined
}
