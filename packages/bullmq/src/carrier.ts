/**
 * The job carrier: one reserved key in `job.data` holding core's tenant carrier
 * (`{ 'x-tenant-id': … }`) and, with OpenTelemetry, the enqueuing span's `traceparent`.
 *
 * Why `job.data` and not job options: BullMQ copies `data` into every job it derives from the
 * one you add (each retry attempt, the delayed job when it is promoted, each job a job scheduler
 * or `repeat` creates from its template, each node of a flow), and hands it unchanged to
 * sandboxed processors. Custom option keys have no such promise.
 */
import { extractTenant, getCurrentTenant, injectTenant, TenantError } from '@tracium/core'
import { activeTraceparent, validTraceparent } from './trace-context.js'

/**
 * The reserved key in `job.data` that holds the {@link JobCarrier}: `__tracium`.
 *
 * @example
 * ```ts
 * const { [JOB_CARRIER_KEY]: _carrier, ...data } = job.data // your data without the carrier
 * ```
 */
export const JOB_CARRIER_KEY = '__tracium'

/**
 * What a job carries under {@link JOB_CARRIER_KEY}. A plain text map, so OpenTelemetry users can
 * hand it to `propagation.extract(ROOT_CONTEXT, carrier)` as it is.
 *
 * @example
 * ```ts
 * const carrier: JobCarrier = { 'x-tenant-id': 'acme', traceparent: '00-…-…-01' }
 * ```
 */
export interface JobCarrier {
  /** The enqueuing tenant (core's `TENANT_CARRIER_KEY`); absent when there was none. */
  'x-tenant-id'?: string
  /** W3C trace context of the span active at enqueue time; absent without OpenTelemetry. */
  traceparent?: string
}

/**
 * Job data with the carrier added by {@link tenantJob}.
 *
 * @example
 * ```ts
 * const data: TenantJobData<{ format: string }> = tenantJob({ format: 'csv' })
 * ```
 */
export type TenantJobData<T> = (T extends undefined ? unknown : T) & {
  [JOB_CARRIER_KEY]: JobCarrier
}

/**
 * What a processor learns from a job's carrier, see {@link readJobCarrier}.
 *
 * @example
 * ```ts
 * const { tenantId, traceparent, hasCarrier }: JobTenantContext = readJobCarrier(job)
 * ```
 */
export interface JobTenantContext {
  /** The validated tenant, or `null` when the job was enqueued with none (or has no carrier). */
  readonly tenantId: string | null
  /** The enqueuing span's `traceparent`, when the job carries a well-formed one. */
  readonly traceparent: string | undefined
  /** `false` for a job enqueued without the helpers (no {@link JOB_CARRIER_KEY} in its data). */
  readonly hasCarrier: boolean
}

// Data objects made by tenantJob, so the queue wrappers keep their (possibly different)
// tenant, while a `__tracium` key that arrived in client input is always replaced.
const stamped = new WeakSet<object>()

/**
 * Returns a copy of `data` that carries `tenantId` (and the active OpenTelemetry span's
 * `traceparent`, if any) under {@link JOB_CARRIER_KEY}. An existing `__tracium` key in `data` is
 * replaced, so client input cannot choose the tenant.
 *
 * @param data the job data: a plain object, or `undefined` for a job with no data of its own.
 * @param tenantId the tenant the job runs for. Default: the current tenant (`null`: no tenant).
 * @throws {TypeError} when `data` is not a plain object (an array, a string, `null`): the carrier
 *   needs a key of its own; wrap the value, e.g. `{ items }`.
 * @throws {TenantError} `TENANT_INVALID` for a `tenantId` that breaks S6.
 * @example
 * ```ts
 * app.post('/export', async (req, res) => {
 *   await exports.add('export', tenantJob({ format: 'csv' })) // runs as the request's tenant
 *   res.status(202).end()
 * })
 * ```
 */
export function tenantJob<T extends object | undefined>(
  data: T,
  tenantId: string | null = getCurrentTenant(),
): TenantJobData<T> {
  if (data !== undefined && !isPlainObject(data)) {
    throw new TypeError(
      `@tracium/bullmq: tenantJob() needs job data that is a plain object or undefined, got ` +
        `${describe(data)}. Wrap the value, e.g. tenantJob({ items }).`,
    )
  }
  const carrier: JobCarrier = injectTenant({}, tenantId)
  const traceparent = activeTraceparent()
  if (traceparent !== undefined) carrier.traceparent = traceparent
  const result = { ...data, [JOB_CARRIER_KEY]: carrier } as TenantJobData<T>
  stamped.add(result)
  return result
}

/** Job data as the queue wrappers send it: `data` itself when {@link tenantJob} made it. */
export function stampJobData<T>(data: T): T {
  if (typeof data === 'object' && data !== null && stamped.has(data)) return data
  return tenantJob(data as object | undefined) as T
}

/**
 * Reads and validates the carrier of `job` (its `data.__tracium`); what {@link withJobTenant}
 * runs the processor with.
 *
 * @throws {TenantError} `TENANT_INVALID` when the carrier is not a plain object or its tenant
 *   breaks S6 (not a string, an array, a comma list, control characters, too long).
 * @example
 * ```ts
 * const { tenantId, traceparent } = readJobCarrier(job)
 * ```
 */
export function readJobCarrier(job: { data?: unknown }): JobTenantContext {
  const data = job.data
  if (!isPlainObject(data) || !Object.hasOwn(data, JOB_CARRIER_KEY)) {
    return { tenantId: null, traceparent: undefined, hasCarrier: false }
  }
  const carrier = data[JOB_CARRIER_KEY]
  if (!isPlainObject(carrier)) {
    throw new TenantError(
      'TENANT_INVALID',
      `Invalid tenant carrier: job.data.${JOB_CARRIER_KEY} must be an object, got ` +
        `${describe(carrier)}. Enqueue jobs with tenantJob() or tenantQueue().`,
    )
  }
  return {
    tenantId: extractTenant(carrier),
    traceparent: validTraceparent(carrier.traceparent),
    hasCarrier: true,
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'a class instance' : typeof value
}
