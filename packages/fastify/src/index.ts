/**
 * `@tracium/fastify`: Tracium's tenant context for Fastify 5.
 *
 * ```ts
 * import { traciumTenant } from '@tracium/fastify'
 * await app.register(traciumTenant, { required: true })
 * ```
 */

export {
  fromCookie,
  fromHeader,
  fromJwt,
  fromPath,
  fromQuery,
  fromSubdomain,
  getCurrentTenant,
  type ResolvedTenant,
  requireTenant,
  setTenant,
  TenantError,
  withTenant,
} from '@tracium/core'
export { type TraciumFastifyOptions, traciumTenant } from './tenant-plugin.js'
