/**
 * worker_threads: a worker starts with an empty async context, so the tenant is handed over in
 * its `workerData` and restored once at the top of the worker script.
 */
import { workerData as currentWorkerData, isMainThread } from 'node:worker_threads'
import { getCurrentTenant, setTenant } from '../tenant-context.js'
import { extractTenant, injectTenant } from './carrier.js'

/**
 * Returns `workerData` for `new Worker(...)` that carries the current tenant (under
 * `x-tenant-id`) next to `data`. Restore it in the worker with {@link restoreWorkerTenant}.
 *
 * @param data your own worker data; it arrives as `workerData.data`.
 * @example
 * ```ts
 * new Worker(new URL('./resize.js', import.meta.url), { workerData: tenantWorkerData({ file }) })
 * ```
 */
export function tenantWorkerData<T>(data?: T): { 'x-tenant-id'?: string; data: T | undefined } {
  return injectTenant({ data }, getCurrentTenant())
}

/**
 * In a worker started with {@link tenantWorkerData}: sets the tenant it carried for the worker's
 * whole run (S4) and returns it, or `null` when it carried none.
 *
 * @param data the worker data to read. Default: `workerData` of `node:worker_threads`.
 * @throws {Error} when called on the main thread without `data`.
 * @example
 * ```ts
 * // resize.js, the worker script
 * import { workerData } from 'node:worker_threads'
 * import { restoreWorkerTenant } from '@tracium/core'
 * restoreWorkerTenant()
 * await resize(workerData.data.file) // traces are tagged with the parent's tenant
 * ```
 */
export function restoreWorkerTenant(data?: unknown): string | null {
  if (data === undefined && isMainThread) {
    throw new Error(
      '@tracium/core: restoreWorkerTenant() reads workerData and must run inside a worker; ' +
        'pass the data explicitly on the main thread.',
    )
  }
  const source = data === undefined ? currentWorkerData : data
  const tenantId = isRecord(source) ? extractTenant(source) : null
  setTenant(tenantId)
  return tenantId
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}
