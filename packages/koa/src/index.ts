/**
 * `@tracium/koa`: Tracium's tenant context for Koa 3.
 *
 * ```ts
 * import { traciumTenant } from '@tracium/koa'
 * app.use(traciumTenant({ required: true }))
 * ```
 */

// The whole core API, so one import covers the adapter, the sources and the tenant functions.
export * from '@tracium/core'
export { type TraciumKoaOptions, traciumTenant } from './tenant-middleware.js'
