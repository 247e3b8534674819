/**
 * `@tracium/core`: the tenant context of Tracium multi-tenancy. No framework imports; the
 * adapters and the SDK stand on it.
 */

// jose's types appear in ours; re-exported so declaration files do not inline them.
export type { JSONWebKeySet, JWK, JWTPayload, RemoteJWKSetOptions } from 'jose'
export { expressRoute } from './adapter/express-route.js'
export { openHttpScope, resolveInScope } from './adapter/http-scope.js'
export { handleRejection } from './adapter/rejection.js'
export { exposeRequestTenant } from './adapter/request-tenant.js'
export { CLOSED_SCOPE_WARNING_CODE } from './closed-scope-warning.js'
export {
  isTenantError,
  TENANT_ERROR_STATUS,
  TenantError,
  type TenantErrorCode,
  type TenantErrorOptions,
} from './errors.js'
export {
  type ScopeCloseMessage,
  type ScopeOpenMessage,
  TENANT_CHANNELS,
  type TenantRejectedMessage,
  type TenantResolvedMessage,
} from './events.js'
export { MISUSE_WARNING_CODE, warnMisuse } from './misuse-warning.js'
export { TENANT_BAGGAGE_KEY } from './propagation/baggage.js'
export {
  extractTenant,
  injectTenant,
  TENANT_CARRIER_KEY,
  type TenantCarrier,
} from './propagation/carrier.js'
export { bindEmitter } from './propagation/emitter.js'
export {
  type PropagateTenantOptions,
  propagateTenant,
  type TenantPropagation,
  tenantHeaders,
} from './propagation/outgoing-http.js'
export {
  TENANT_TASK_KEY,
  type TenantTask,
  tenantTask,
  withTaskTenant,
} from './propagation/task.js'
export { restoreWorkerTenant, tenantWorkerData } from './propagation/worker.js'
export { currentRequestScope, openRequestScope, RequestScope } from './request-scope.js'
export {
  type AuthorizeDetails,
  type ExcludeOption,
  type RejectionMode,
  TraciumOptionsError,
  type TraciumTenantOptions,
} from './resolution/options.js'
export {
  EXACT_PATH_RULES,
  expressPathRules,
  type FastifyRoutingConfig,
  fastifyPathRules,
  KOA_ROUTER_PATH_RULES,
  type PathRules,
  type PathRulesInput,
} from './resolution/path-rules.js'
export {
  PROBLEM_CONTENT_TYPE,
  PROBLEM_TEXTS,
  type ProblemDetails,
  type ProblemResponse,
  type ProblemText,
  problemDetails,
  problemResponse,
} from './resolution/problem.js'
export type { TenantRequest, TenantRequestHeaders } from './resolution/request.js'
export {
  createTenantResolver,
  type ResolvedTenant,
  type TenantAdapterSettings,
  type TenantResolver,
} from './resolution/resolver.js'
export type {
  ClaimedTenant,
  SourceValue,
  TenantSource,
  TenantSourceFunction,
  TenantSourceInput,
} from './resolution/source.js'
export { type BaggageSourceOptions, fromBaggage } from './resolution/sources/baggage.js'
export { fromCookie } from './resolution/sources/cookie.js'
export { fromHeader } from './resolution/sources/header.js'
export { fromJwt, type JwtSourceOptions } from './resolution/sources/jwt.js'
export { fromPath, type PathSourceOptions } from './resolution/sources/path.js'
export { fromQuery } from './resolution/sources/query.js'
export { fromSubdomain, type SubdomainSourceOptions } from './resolution/sources/subdomain.js'
export type { ScopeCloseInfo, ScopeRequestInfo, ScopeView } from './scope-view.js'
export {
  bindTenant,
  captureTenant,
  getCurrentTenant,
  requireTenant,
  setTenant,
  type TenantSnapshot,
  withTenant,
} from './tenant-context.js'
export { MAX_TENANT_ID_LENGTH, validateTenantId } from './tenant-id.js'
export {
  ASCII_TENANT_ID,
  createTenantIdCheck,
  SLUG_TENANT_ID,
  type TenantIdPolicy,
  UUID_TENANT_ID,
} from './tenant-id-policy.js'
