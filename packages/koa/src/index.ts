/**
 * `@tracium/koa`: Tracium's tenant context for Koa 3.
 *
 * ```ts
 * import { traciumTenant } from '@tracium/koa'
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
export { type TraciumKoaOptions, traciumTenant } from './tenant-middleware.js'
