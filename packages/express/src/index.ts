/**
 * `@tracium/express`: Tracium's tenant context for Express 5.
 *
 * ```ts
 * import { traciumTenant } from '@tracium/express'
 * app.use(traciumTenant({ required: true }))
 * ```
 */

// The whole core API, so one import covers the adapter, the sources and the tenant functions.
export * from '@tracium/core'
export { type TraciumExpressOptions, traciumTenant } from './tenant-middleware.js'
