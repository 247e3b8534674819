/**
 * `@tracium/bullmq`: Tracium tenant context through BullMQ job queues. Jobs carry the tenant of
 * the code that enqueued them; workers run each job under it. No runtime import of bullmq.
 */

export {
  getCurrentTenant,
  isTenantError,
  requireTenant,
  TenantError,
  type TenantErrorCode,
  TraciumOptionsError,
  withTenant,
} from '@tracium/core'
export {
  JOB_CARRIER_KEY,
  type JobCarrier,
  type JobTenantContext,
  readJobCarrier,
  type TenantJobData,
  tenantJob,
} from './carrier.js'
export { type JobTenantOptions, type TenantJobLike, withJobTenant } from './processor.js'
export { type FlowProducerLike, type QueueLike, tenantFlowProducer, tenantQueue } from './queue.js'
