/**
 * Worker pools (Piscina, or any pool that reuses threads): one thread runs tasks of many
 * tenants, so the tenant travels with each task and is restored for that task only. Structural:
 * no pool is imported; the envelope is a plain object that survives structured cloning.
 */
import { getCurrentTenant, withTenant } from '../tenant-context.js'
import { extractTenant, injectTenant } from './carrier.js'

/** Marks an envelope made by {@link tenantTask}. */
export const TENANT_TASK_KEY = '@tracium/task'

/** A task wrapped with its tenant by {@link tenantTask}: what crosses to the worker thread. */
export interface TenantTask<T> {
  readonly [TENANT_TASK_KEY]: 1
  /** The tenant of the code that queued the task; absent when it had none. */
  readonly 'x-tenant-id'?: string
  /** Your task, as given. */
  readonly task: T
}

/**
 * Wraps `task` with the current tenant, for a pool whose worker handler is wrapped with
 * {@link withTaskTenant}. Transferables inside `task` stay transferable.
 *
 * @param task your task data.
 * @param tenantId the tenant to send. Default: the current tenant (`null` sends none).
 * @example
 * ```ts
 * const pool = new Piscina({ filename: new URL('./resize.js', import.meta.url).href })
 * app.post('/resize', async (req, res) => res.json(await pool.run(tenantTask({ file: req.body.file }))))
 * ```
 */
export function tenantTask<T>(
  task: T,
  tenantId: string | null = getCurrentTenant(),
): TenantTask<T> {
  return injectTenant({ [TENANT_TASK_KEY]: 1 as const, task }, tenantId)
}

/**
 * Wraps a pool's worker handler: each call runs `handler(task)` under the tenant its
 * {@link tenantTask} envelope carried, in a scope of its own (`withTenant`), so the next task on
 * the same thread never sees it, and a task queued with no tenant runs with `null`.
 *
 * @throws {TenantError} `TENANT_INVALID` when the envelope's tenant is not a valid id (a forged
 *   or corrupted message): the task fails, it never runs under a guessed tenant.
 * @throws {TypeError} when the task was not wrapped with `tenantTask()`.
 * @example
 * ```ts
 * // resize.js, the Piscina worker file
 * import { getCurrentTenant, withTaskTenant } from '@tracium/core'
 * export default withTaskTenant(async ({ file }) => resize(file, getCurrentTenant()))
 * ```
 */
export function withTaskTenant<T, R>(handler: (task: T) => R): (envelope: TenantTask<T>) => R {
  if (typeof handler !== 'function') {
    throw new TypeError('@tracium/core: withTaskTenant(handler) needs the task handler function.')
  }
  return function tenantTaskHandler(envelope) {
    if (typeof envelope !== 'object' || envelope === null || envelope[TENANT_TASK_KEY] !== 1) {
      throw new TypeError(
        '@tracium/core: withTaskTenant() got a task that tenantTask() did not wrap. Queue it as ' +
          'pool.run(tenantTask(task)), so the worker knows which tenant it runs for.',
      )
    }
    const tenantId = extractTenant(envelope as unknown as Record<string, unknown>)
    return withTenant(tenantId, () => handler(envelope.task))
  }
}
