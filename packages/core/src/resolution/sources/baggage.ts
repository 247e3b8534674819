/**
 * `fromBaggage`: the tenant from the W3C `baggage` header (`tenant.id=…`), for services behind
 * OpenTelemetry-instrumented callers. Any client can send baggage, so this source reads nothing
 * unless the user's trust rule accepts the caller.
 */
import { readBaggageValue, TENANT_BAGGAGE_KEY } from '../../propagation/baggage.js'
import { validateTenantId } from '../../tenant-id.js'
import { optionsError } from '../options.js'
import type { TenantRequest } from '../request.js'
import type { TenantSource } from '../source.js'

/** Options of {@link fromBaggage}. */
export interface BaggageSourceOptions {
  /**
   * Decides whether this caller may name the tenant in baggage: an mTLS identity, a network
   * check, a shared secret your gateway adds. Only `true` trusts; for any other answer the
   * baggage is ignored and the next source is tried. Required: there is no safe default.
   */
  trust: (request: TenantRequest) => boolean | Promise<boolean>
  /** The baggage key that holds the tenant. Default: `'tenant.id'`. */
  key?: string
}

/**
 * Reads the tenant from the `baggage` header, only from callers `trust` accepts. The value is
 * percent-decoded and validated (S6); a key given twice, or bad percent-encoding, is
 * `TENANT_INVALID`.
 *
 * @example
 * ```ts
 * import type { Socket } from 'node:net'
 * const internal = (req: TenantRequest) =>
 *   (req.raw as { socket: Socket }).socket.remoteAddress === '10.0.0.7' // the billing gateway
 * traciumTenant({ resolve: [fromJwt({ secret }), fromBaggage({ trust: internal })] })
 * ```
 */
export function fromBaggage(options: BaggageSourceOptions): TenantSource {
  if (typeof options !== 'object' || options === null || typeof options.trust !== 'function') {
    optionsError(
      '@tracium/core',
      'fromBaggage(options) needs a trust rule: fromBaggage({ trust: (request) => boolean }). ' +
        'Any client can send a baggage header; say which callers may name the tenant in it.',
    )
  }
  const { trust, key = TENANT_BAGGAGE_KEY } = options
  if (typeof key !== 'string' || key.length === 0) {
    optionsError('@tracium/core', 'fromBaggage(): option "key" must be a non-empty string.')
  }
  const readValue = (request: TenantRequest): string | null => {
    const value = readBaggageValue(request.headers.baggage, key)
    return value === null ? null : validateTenantId(value)
  }
  return {
    name: `baggage:${key}`,
    read(request) {
      const trusted = trust(request)
      if (trusted === true) return readValue(request)
      if (trusted instanceof Promise) {
        return trusted.then((answer) => (answer === true ? readValue(request) : null))
      }
      return null
    },
  }
}
