/**
 * Writing the tenant onto a span, and the one warning about ids Tracium's backend will cut.
 */

/**
 * The attribute Tracium's backend reads the tenant ("user", end client) from.
 * @example
 * ```ts
 * exportedSpan.attributes[TENANT_ATTRIBUTE] // 'tenant-123'
 * ```
 */
export const TENANT_ATTRIBUTE = 'tracium.user.id'

/**
 * Tracium's backend cuts `tracium.user.id` at this many bytes of UTF-8.
 * @example
 * ```ts
 * Buffer.byteLength(tenantId) <= BACKEND_TENANT_MAX_BYTES // counted as its own client
 * ```
 */
export const BACKEND_TENANT_MAX_BYTES = 128

/**
 * The `code` of the process warning emitted once for a tenant id longer than 128 bytes.
 * @example
 * ```ts
 * process.on('warning', (w) => w.code === LONG_TENANT_WARNING_CODE && alert(w.message))
 * ```
 */
export const LONG_TENANT_WARNING_CODE = 'TRACIUM_OTEL_TENANT_TOO_LONG'

/**
 * What the processor needs of a span: the SDK's `Span` has it on 1.x, 2.x and 3.x.
 * @example
 * ```ts
 * const sink: AttributeSink = tracer.startSpan('work')
 * ```
 */
export interface AttributeSink {
  setAttribute(key: string, value: string): unknown
}

// UTF-8 takes at most 3 bytes per UTF-16 code unit, so an id of up to 42 code units is at most
// 126 bytes and needs no Buffer.byteLength: the check costs nothing for ordinary ids.
const MAX_UNITS_SURELY_SHORT = Math.floor(BACKEND_TENANT_MAX_BYTES / 3)

// Once per process, whichever processor sees the id first: one warning says all there is.
let warnedLong = false

/** Sets the tenant attribute (and the duplicate, when configured) on `span`. */
export function stampTenant(
  span: AttributeSink,
  tenantId: string,
  duplicateAttribute: string | null,
): void {
  span.setAttribute(TENANT_ATTRIBUTE, tenantId)
  if (duplicateAttribute !== null) span.setAttribute(duplicateAttribute, tenantId)
  if (!warnedLong && tenantId.length > MAX_UNITS_SURELY_SHORT) checkLength(tenantId)
}

function checkLength(tenantId: string): void {
  const bytes = Buffer.byteLength(tenantId, 'utf8')
  if (bytes <= BACKEND_TENANT_MAX_BYTES) return
  warnedLong = true
  // The full id is still stamped: other backends read it whole, and cutting here could split a
  // character. The warning shows no id: tenant ids can be customer names.
  process.emitWarning(
    `A tenant id of ${bytes} bytes was stamped on a span; Tracium's backend cuts ` +
      `${TENANT_ATTRIBUTE} at ${BACKEND_TENANT_MAX_BYTES} bytes (UTF-8), so ids that share ` +
      'their first 128 bytes are counted as one client. Use shorter tenant ids (this warning ' +
      'is shown once).',
    { type: 'TraciumWarning', code: LONG_TENANT_WARNING_CODE },
  )
}
