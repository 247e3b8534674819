/**
 * The request-scope primitive the adapters stand on (S1, S2, S7). An adapter opens one scope per
 * request at the earliest point its framework offers, runs the rest of the request in it, keeps
 * it on the request object to re-enter where the framework loses the async context, and closes
 * it when the response closes.
 */
import { TenantError } from './errors.js'
import { scopeCloseChannel, scopeOpenChannel } from './events.js'
import type { ScopeState, TenantCell } from './storage.js'
import { storage } from './storage.js'
import { validateTenantId } from './tenant-id.js'

/**
 * One request's tenant scope. Create it with {@link openRequestScope}.
 *
 * @example
 * ```ts
 * import http from 'node:http'
 * import { openRequestScope, getCurrentTenant } from '@tracium/core'
 *
 * http.createServer((req, res) => {
 *   const scope = openRequestScope()
 *   res.once('close', () => scope.close(!res.writableFinished))
 *   scope.run(() => {
 *     scope.setTenant(req.headers['x-tenant-id'] as string)
 *     res.end(getCurrentTenant())
 *   })
 * })
 * ```
 */
export class RequestScope {
  readonly #state: ScopeState = { closed: false }
  readonly #cell: TenantCell = { tenantId: null, request: this.#state, ambient: false }

  /** The tenant set on this scope (by the adapter or by `setTenant` inside it), or `null`. */
  get tenantId(): string | null {
    return this.#cell.tenantId
  }

  /** `true` once {@link close} was called. */
  get closed(): boolean {
    return this.#state.closed
  }

  /**
   * Sets this scope's tenant, from inside or outside of it.
   * @throws {TenantError} `TENANT_INVALID` for a bad id, `TENANT_SCOPE_CLOSED` after close.
   */
  setTenant(tenantId: string | null): void {
    const id = tenantId === null ? null : validateTenantId(tenantId)
    if (this.#state.closed) {
      throw new TenantError('TENANT_SCOPE_CLOSED', 'This request scope has already closed.')
    }
    this.#cell.tenantId = id
  }

  /**
   * Runs `fn` inside this scope. Adapters call it once for the request and again wherever the
   * framework runs user code outside the request's async context (S7).
   */
  run<T>(fn: () => T): T {
    return storage.run(this.#cell, fn)
  }

  /**
   * Returns a function that runs `fn` inside this scope, for callbacks a framework or stream
   * calls from another async context (S7). `this` and arguments pass through.
   */
  // biome-ignore lint/suspicious/noExplicitAny: a bound function keeps any signature
  bind<F extends (...args: any[]) => unknown>(fn: F): F {
    const cell = this.#cell
    return function boundToScope(this: unknown, ...args: unknown[]) {
      return storage.run(cell, () => fn.apply(this, args))
    } as F
  }

  /**
   * Closes the scope (S2): from now on, code still running in its async context reads `null`
   * and cannot set a tenant. Idempotent; publishes `tracium:tenant:scope-close` once.
   *
   * @param aborted `true` when the client went away before the response finished.
   */
  close(aborted = false): void {
    if (this.#state.closed) return
    if (scopeCloseChannel.hasSubscribers) {
      // Subscribers still see the tenant: they run before the flag flips.
      this.run(() => scopeCloseChannel.publish({ scope: this, aborted }))
    }
    this.#state.closed = true
  }
}

/**
 * Opens a scope for one request and publishes `tracium:tenant:scope-open` inside it. The scope
 * starts with no tenant. Adapters call this; application code normally does not need it.
 */
export function openRequestScope(): RequestScope {
  const scope = new RequestScope()
  if (scopeOpenChannel.hasSubscribers) scope.run(() => scopeOpenChannel.publish({ scope }))
  return scope
}
