/**
 * Worker side: run each job under the tenant it carries.
 */
import { captureTenant, TenantError, TraciumOptionsError, withTenant } from '@tracium/core'
import { JOB_CARRIER_KEY, readJobCarrier } from './carrier.js'
import { runInTraceContext } from './trace-context.js'

/**
 * Options of {@link withJobTenant}.
 *
 * @example
 * ```ts
 * const options: JobTenantOptions = { required: true }
 * ```
 */
export interface JobTenantOptions {
  /**
   * Fail jobs that carry no tenant with `TENANT_MISSING`: jobs enqueued with no tenant, and jobs
   * enqueued without the helpers (no `__tracium` carrier at all). With `false`, both run with
   * `null`, as a request without a tenant does (R4).
   *
   * Default: `false`.
   */
  required?: boolean
  /**
   * Run the processor with the enqueuing span (the job's `traceparent`) as its OpenTelemetry
   * parent, so the spans and `@tracium/sdk` traces it starts join the enqueuing request's trace.
   * Set `false` to leave the OpenTelemetry context alone, e.g. when BullMQ's own `telemetry`
   * option already makes a consumer span active around the processor.
   *
   * Default: `true` (a no-op without `@opentelemetry/api` or without a `traceparent`).
   */
  traceContext?: boolean
}

/**
 * The part of a BullMQ `Job` that {@link withJobTenant} reads (structural: no bullmq import).
 *
 * @example
 * ```ts
 * const job: TenantJobLike = { data: { __tracium: { 'x-tenant-id': 'acme' } } }
 * ```
 */
export interface TenantJobLike {
  data?: unknown
}

/**
 * Wraps a BullMQ processor so that each job runs under the tenant it was enqueued with (see
 * `tenantJob`/`tenantQueue`): `getCurrentTenant()`, and so every `@tracium/sdk` trace, read it
 * in the processor and in everything it awaits, until the processor settles.
 *
 * The job runs in a scope of its own, detached from whatever context the `Worker` was created in,
 * so a worker started lazily during an HTTP request neither ends early with that request (S2) nor
 * sees its tenant.
 *
 * A carrier that is malformed or forged (not an object, a tenant that is not a string, an array,
 * a comma list, control characters, over 255 characters) fails the job with a `TenantError`
 * `TENANT_INVALID` before the processor runs: BullMQ records it as a failed job whose
 * `failedReason` is the error's message. The job never runs under no tenant or a guessed one.
 * Note that each configured attempt fails the same way.
 *
 * When the job carries the enqueuing span's `traceparent` and `@opentelemetry/api` is installed,
 * the processor runs with that span as its (remote) OpenTelemetry parent: every attempt's spans
 * and `@tracium/sdk` traces share the enqueuing request's trace id (see `traceContext`).
 *
 * @param processor your processor, `(job, token?, signal?) => Promise<result>`.
 * @param options see {@link JobTenantOptions}.
 * @throws {TraciumOptionsError} when `processor` is not a function or an option is invalid.
 * @example
 * ```ts
 * new Worker('exports', withJobTenant(async (job) => {
 *   getCurrentTenant() // the tenant of the request that enqueued the job
 *   return buildExport(job.data)
 * }), { connection, concurrency: 10 })
 * ```
 */
export function withJobTenant<J extends TenantJobLike, A extends unknown[], R>(
  processor: (job: J, ...rest: A) => R | Promise<R>,
  options: JobTenantOptions = {},
): (job: J, ...rest: A) => Promise<R> {
  if (typeof processor !== 'function') {
    throw new TraciumOptionsError(
      `@tracium/bullmq: withJobTenant(processor) needs the processor function, got ` +
        `${processor === null ? 'null' : typeof processor}.`,
    )
  }
  if (options === null || typeof options !== 'object') {
    throw new TraciumOptionsError('@tracium/bullmq: withJobTenant options must be an object.')
  }
  const required = options.required ?? false
  if (typeof required !== 'boolean') {
    throw new TraciumOptionsError(
      `@tracium/bullmq: the required option must be true or false, got ${typeof required}.`,
    )
  }

  const traceContext = options.traceContext ?? true
  if (typeof traceContext !== 'boolean') {
    throw new TraciumOptionsError(
      `@tracium/bullmq: the traceContext option must be true or false, got ${typeof traceContext}.`,
    )
  }

  return async function processWithJobTenant(job: J, ...rest: A): Promise<R> {
    const { tenantId, traceparent, hasCarrier } = readJobCarrier(job)
    if (required && tenantId === null) throw missing(hasCarrier)
    // withTenant validates and nests; captureTenant().run then starts a detached scope with
    // that value, which nothing outside can close (core's TenantSnapshot).
    const snapshot = withTenant(tenantId, captureTenant)
    const run = () => processor(job, ...rest)
    return snapshot.run(() => (traceContext ? runInTraceContext(traceparent, run) : run()))
  }
}

function missing(hasCarrier: boolean): TenantError {
  return new TenantError(
    'TENANT_MISSING',
    hasCarrier
      ? 'This job was enqueued with no tenant, and the worker requires one. Enqueue it ' +
          "inside the request (or withTenant('tenant-id', fn)) so that it carries a tenant."
      : `This job carries no tenant (no job.data.${JOB_CARRIER_KEY}), and the worker requires ` +
          'one. Enqueue it with tenantJob(data) or through tenantQueue(queue).',
  )
}
