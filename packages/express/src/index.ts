/**
 * `@tracium/express`: Tracium's tenant context for Express 5.
 *
 * ```ts
 * import { traciumTenant } from '@tracium/express'
 * app.use(traciumTenant({ required: true }))
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
export { type TraciumExpressOptions, traciumTenant } from './tenant-middleware.js'
