/**
 * The public tenant API: read, set, scope and capture the tenant of the current async context.
 * Rules S2–S6 of DESIGN.md.
 */
import diagnostics from 'node:diagnostics_channel'
import { warnClosedScopeRead } from './closed-scope-warning.js'
import { TenantError } from './errors.js'
import { detachedCell, storage, type TenantCell } from './storage.js'
import { validateTenantId } from './tenant-id.js'

/**
 * The tenant of the current async context, or `null` when none is set, outside any scope, or in
 * the context of a request whose response has already closed (S2).
 *
 * @example
 * ```ts
 * setTenant('tenant-456')
 * getCurrentTenant() // 'tenant-456'
 * setTenant(null)
 * getCurrentTenant() // null
 * ```
 */
export function getCurrentTenant(): string | null {
  const cell = storage.getStore()
  if (cell === undefined) return null
  if (cell.request?.closed) {
    warnClosedScopeRead(getCurrentTenant)
    return null
  }
  return cell.tenantId
}

/**
 * The tenant of the current async context; throws when there is none.
 *
 * @throws {TenantError} `TENANT_MISSING` (401) when no tenant is set;
 *   `TENANT_SCOPE_CLOSED` (500) in the context of a request that has already ended.
 * @example
 * ```ts
 * app.get('/chat', async (req, res) => {
 *   const tenantId = requireTenant() // 'tenant-123'
 * })
 * ```
 */
export function requireTenant(): string {
  const cell = storage.getStore()
  if (cell?.request?.closed) throw scopeClosed('requireTenant()')
  const tenantId = cell?.tenantId ?? null
  if (tenantId === null) {
    throw new TenantError(
      'TENANT_MISSING',
      'No tenant is set for this request. Mount the Tracium tenant middleware for this route ' +
        '(and send the tenant, e.g. an X-Tenant-ID header), or wrap the code in ' +
        "withTenant('tenant-id', fn) when it runs outside a request.",
    )
  }
  return tenantId
}

/**
 * Sets the tenant of the current scope, or clears it with `null`.
 *
 * - Inside a request scope or `withTenant`, it sets the tenant for the rest of that scope: all
 *   code of that request, including code already waiting on a promise (S3).
 * - Outside any scope (scripts, workers, tests) it sets the tenant for the current async
 *   execution and what it starts from now on, like a Python context variable (S4).
 *
 * @throws {TenantError} `TENANT_INVALID` (400) for an id that breaks S6 (see
 *   {@link validateTenantId}); `TENANT_SCOPE_CLOSED` (500) in the context of a request that has
 *   already ended.
 * @example
 * ```ts
 * setTenant('tenant-123') // every trace from here on is tagged tenant-123
 * setTenant(null)         // clear it
 * ```
 */
export function setTenant(tenantId: string | null): void {
  const id = tenantId === null ? null : validateTenantId(tenantId)
  const cell = storage.getStore()
  if (cell === undefined || cell.ambient) {
    // Outside any scope there is nothing to mutate. Entering a fresh cell gives ContextVar
    // semantics (S4); adapters never come here, request paths always have a scope (S1).
    clearAmbientOnRequestStart()
    storage.enterWith({ tenantId: id, request: null, ambient: true })
    return
  }
  if (cell.request?.closed) throw scopeClosed('setTenant()')
  cell.tenantId = id
}

/**
 * Runs `fn` with `tenantId` in a nested scope and returns its result (a promise stays a
 * promise). The outer scope is untouched, across awaits and when many `withTenant` calls run
 * concurrently (S3). `setTenant` inside `fn` changes only the nested scope.
 *
 * Called inside a request, the nested scope still ends with that request (S2); to keep a tenant
 * for work that outlives the request, use {@link captureTenant} or {@link bindTenant}.
 *
 * @param tenantId the tenant for `fn`, or `null` to run `fn` with no tenant.
 * @throws {TenantError} `TENANT_INVALID` for an id that breaks S6; `fn` is then not called.
 * @example
 * ```ts
 * const report = await withTenant('acme', async () => buildReport())
 * ```
 */
export function withTenant<T>(tenantId: string | null, fn: () => T): T {
  const id = tenantId === null ? null : validateTenantId(tenantId)
  const outer = storage.getStore()
  const request = outer?.request && !outer.request.closed ? outer.request : null
  const cell: TenantCell = { tenantId: id, request, ambient: false }
  return storage.run(cell, fn)
}

/** A tenant value captured by {@link captureTenant}, to run deferred work with. */
export interface TenantSnapshot {
  /** The captured tenant, or `null` when none was set. */
  readonly tenantId: string | null
  /**
   * Runs `fn` with the captured tenant in a fresh scope of its own, detached from the request it
   * was captured in: it keeps its tenant after that request ends (S5).
   */
  run<T>(fn: () => T): T
}

class Snapshot implements TenantSnapshot {
  constructor(readonly tenantId: string | null) {}

  run<T>(fn: () => T): T {
    return storage.run(detachedCell(this.tenantId), fn)
  }
}

/**
 * Captures the current tenant *value* (not the request's scope), so deferred work keeps it after
 * the request has ended (S5).
 *
 * @example
 * ```ts
 * const snapshot = captureTenant()
 * queue.push(() => snapshot.run(() => sendInvoice())) // runs as the same tenant, later
 * ```
 */
export function captureTenant(): TenantSnapshot {
  return new Snapshot(getCurrentTenant())
}

/**
 * Returns a function that calls `fn` with the tenant current *now*, whenever and wherever it is
 * called later: after the request ended, from a timer, a pool or another tenant's request (S5).
 * `this` and arguments pass through.
 *
 * @example
 * ```ts
 * emitter.on('done', bindTenant((job) => log(getCurrentTenant(), job)))
 * ```
 */
// biome-ignore lint/suspicious/noExplicitAny: a bound function keeps any signature
export function bindTenant<F extends (...args: any[]) => unknown>(fn: F): F {
  const snapshot = captureTenant()
  return function boundToTenant(this: unknown, ...args: unknown[]) {
    return snapshot.run(() => fn.apply(this, args))
  } as F
}

function scopeClosed(what: string): TenantError {
  return new TenantError(
    'TENANT_SCOPE_CLOSED',
    `${what} was called in the async context of a request that has already ended. A resource ` +
      'created during the request (a timer, pool or emitter) still runs in its context. Use ' +
      'captureTenant() or bindTenant() to carry the tenant into deferred work.',
  )
}

const CLEARING_KEY = Symbol.for('@tracium/core:clear-ambient-on-request')

/**
 * `setTenant` outside any scope uses `enterWith`. Called by HTTP code that no Tracium middleware
 * covers (a middleware mounted before it, a route outside it), on Node 20 that store stays on the
 * keep-alive connection and the next request on it reads the old tenant (nodejs/node#58029).
 * So once the ambient path has been used, every HTTP request starts with no ambient tenant.
 */
function clearAmbientOnRequestStart(): void {
  const registry = globalThis as { [CLEARING_KEY]?: true }
  if (registry[CLEARING_KEY]) return
  registry[CLEARING_KEY] = true
  diagnostics.subscribe('http.server.request.start', () => {
    if (storage.getStore()?.ambient) storage.enterWith(undefined as unknown as TenantCell)
  })
}
