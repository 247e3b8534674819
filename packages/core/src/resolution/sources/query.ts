/** `fromQuery`: the tenant from a query-string parameter. */
import { optionsError } from '../options.js'
import type { TenantSource } from '../source.js'
import { singleValue } from './single-value.js'

/**
 * Reads the tenant from the query parameter `name`, e.g. `?tenant=acme`. A parameter given twice
 * is `TENANT_INVALID` (R7). Query strings end up in logs and browser history: prefer a header or
 * a token where you can.
 *
 * @param name the parameter. Default: `'tenant'`.
 * @example
 * ```ts
 * traciumTenant({ resolve: [fromHeader(), fromQuery('tenant')] })
 * ```
 */
export function fromQuery(name = 'tenant'): TenantSource {
  if (typeof name !== 'string' || name.length === 0) {
    optionsError('@tracium/core', 'fromQuery(name): name must be a non-empty string.')
  }
  const where = `the query parameter "${name}"`
  return {
    name: `query:${name}`,
    read(request) {
      const start = request.url.indexOf('?')
      if (start === -1) return null
      const values = new URLSearchParams(request.url.slice(start + 1)).getAll(name)
      return singleValue(values, where)
    },
  }
}
