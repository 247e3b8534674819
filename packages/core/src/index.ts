/**
 * `@tracium/core`: the tenant context of Tracium multi-tenancy. No framework imports; the
 * adapters and the SDK stand on it.
 */

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
export {
  extractTenant,
  injectTenant,
  TENANT_CARRIER_KEY,
  type TenantCarrier,
} from './propagation/carrier.js'
export { bindEmitter } from './propagation/emitter.js'
export { restoreWorkerTenant, tenantWorkerData } from './propagation/worker.js'
export {
  currentRequestScope,
  openRequestScope,
  RequestScope,
  type ScopeCloseInfo,
  type ScopeRequestInfo,
} from './request-scope.js'
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
