/**
 * `@tracium/fastify`: Tracium's tenant context for Fastify 5.
 *
 * ```ts
 * import { traciumTenant } from '@tracium/fastify'
 * await app.register(traciumTenant, { required: true })
 * ```
 */

// The whole core API, so one import covers the adapter, the sources and the tenant functions.
export * from '@tracium/core'
export { type TraciumFastifyOptions, traciumTenant } from './tenant-plugin.js'
