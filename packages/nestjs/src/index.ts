/**
 * `@tracium/nestjs`: Tracium's tenant context for NestJS 12 (platform-express and
 * platform-fastify), WebSocket gateways and microservices (`TenantInterceptor`).
 *
 * ```ts
 * import { TraciumTenantModule } from '@tracium/nestjs'
 * @Module({ imports: [TraciumTenantModule.forRoot({ required: true })] })
 * export class AppModule {}
 * ```
 */

// The whole core API, so one import covers the module, the sources and the tenant functions.
export * from '@tracium/core'
// `req.tenant` on Express's Request (declare global), kept in the bundled declarations.
export type { TenantRequestAugmentation } from './augmentation.js'
export { type Handshake, rememberHandshake } from './message-request.js'
export { SKIP_TENANT_METADATA, SkipTenant } from './skip-tenant.js'
export { Tenant, type TenantParamOptions } from './tenant.decorator.js'
export { TenantExceptionFilter } from './tenant.filter.js'
export { RequireTenant, TenantGuard } from './tenant.guard.js'
export { TenantInterceptor, UseTenantScope } from './tenant.interceptor.js'
export {
  type TraciumNestOptions,
  type TraciumTenantAsyncOptions,
  TraciumTenantModule,
} from './tenant.module.js'
export { TenantService } from './tenant.service.js'
