/**
 * The request-scope primitive the adapters stand on (S1, S2, S7). An adapter opens one scope per
 * request at the earliest point its framework offers, runs the rest of the request in it, keeps
 * it on the request object to re-enter where the framework loses the async context, and closes
 * it when the response closes.
 */
import type { EventEmitter } from 'node:events'
import { TenantError } from './errors.js'
import { scopeCloseChannel, scopeOpenChannel } from './events.js'
import { bindListeners } from './propagation/emitter.js'
import type { ScopeCloseInfo, ScopeRequestInfo, ScopeView } from './scope-view.js'
import { storage, type TenantCell } from './storage.js'
import { validateTenantId } from './tenant-id.js'

/**
 * Where `resolveInScope` keeps what the adapter resolved for the scope's request, so that a second
 * mount of the middleware in the same request continues with it. In the global symbol registry:
 * the scope may come from another copy of core (S8).
 */
export const RESOLUTION: unique symbol = Symbol.for('@tracium/core:scope-resolution')

/** Sets a scope's tenant without validating it; only for ids `validateTenantId` returned. */
export let assignTenant: (scope: RequestScope, tenantId: string | null) => void

/**
 * One request's tenant scope. Create it with {@link openRequestScope}.
 *
 * @example
 * ```ts
 * import http from 'node:http'
 * import { openRequestScope, getCurrentTenant } from '@tracium/core'
 *
 * http.createServer((req, res) => {
 *   const scope = openRequestScope({ method: req.method!, url: req.url! })
 *   res.once('close', () => scope.close({ aborted: !res.writableFinished }))
 *   scope.run(() => {
 *     const header = req.headers['x-tenant-id']
 *     try {
 *       scope.setTenant(typeof header === 'string' ? header : null) // validates (S6)
 *     } catch (err) {
 *       return res.writeHead(400).end() // see problemResponse() for the full answer
 *     }
 *     res.end(getCurrentTenant())
 *   })
 * })
 * ```
 */
export class RequestScope {
  /** @internal What the adapter resolved for this request (a `ResolvedTenant`), once it has. */
  [RESOLUTION]: unknown = undefined
  #closed = false
  #view: ScopeView | undefined
  // The cell points back at this scope, so every cell nested in the request (withTenant) sees
  // the close, and currentRequestScope() can find the scope.
  readonly #cell: TenantCell = { tenantId: null, request: this, ambient: false }

  /** @param request what the scope knows of its request. Default: nothing. */
  constructor(readonly request?: ScopeRequestInfo) {}

  /** The tenant set on this scope (by the adapter or by `setTenant` inside it), or `null`. */
  get tenantId(): string | null {
    return this.#cell.tenantId
  }

  /** `true` once {@link close} was called. */
  get closed(): boolean {
    return this.#closed
  }

  /**
   * The read-only view of this scope that diagnostics messages and `currentRequestScope()`
   * hand out; one per scope, made when first asked for.
   */
  get view(): ScopeView {
    if (this.#view === undefined) this.#view = new ReadonlyScope(this)
    return this.#view
  }

  /** `true` when the code calling it runs in this scope (an adapter's check for a lost context). */
  isCurrent(): boolean {
    return storage.getStore()?.request === this
  }

  /**
   * Sets this scope's tenant, from inside or outside of it.
   * @throws {TenantError} `TENANT_INVALID` for a bad id, `TENANT_SCOPE_CLOSED` after close.
   */
  setTenant(tenantId: string | null): void {
    assignTenant(this, tenantId === null ? null : validateTenantId(tenantId))
  }

  static {
    // For the resolver, whose tenant is validated already: validating again cost every request.
    assignTenant = (scope, id) => {
      if (scope.#closed) {
        throw new TenantError('TENANT_SCOPE_CLOSED', 'This request scope has already closed.')
      }
      scope.#cell.tenantId = id
    }
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
    // Reflect.apply as run()'s callback, with its arguments: no closure per call.
    return function boundToScope(this: unknown, ...args: unknown[]) {
      return storage.run(cell, Reflect.apply, fn, this, args)
    } as F
  }

  /**
   * Makes listeners added to `emitter` from now on run inside this scope, wherever the emitter
   * fires from. Adapters bind the request and response streams: body parsers call the next
   * middleware from stream events, which Node runs in the socket's context (S7).
   */
  bindEmitter<E extends EventEmitter>(emitter: E): E {
    return bindListeners(emitter, (listener) => this.bind(listener))
  }

  /**
   * Closes the scope (S2): from now on, code still running in its async context reads `null`
   * and cannot set a tenant. Idempotent; publishes `tracium:tenant:scope-close` once, inside the
   * scope and before it closes, so subscribers still read the tenant.
   */
  close(info: ScopeCloseInfo = {}): void {
    if (this.#closed) return
    if (scopeCloseChannel.hasSubscribers) {
      this.run(() => scopeCloseChannel.publish({ aborted: false, ...info, scope: this.view }))
    }
    this.#closed = true
  }
}

/**
 * Opens a scope for one request and publishes `tracium:tenant:scope-open` inside it. The scope
 * starts with no tenant. Adapters call this; application code normally does not need it.
 *
 * @param request method and URL, passed on to diagnostics subscribers. Default: none.
 * @example
 * ```ts
 * const scope = openRequestScope({ method: 'GET', url: '/chat' })
 * ```
 */
export function openRequestScope(request?: ScopeRequestInfo): RequestScope {
  const scope = new RequestScope(request)
  if (scopeOpenChannel.hasSubscribers) {
    scope.run(() => scopeOpenChannel.publish({ scope: scope.view }))
  }
  return scope
}

/**
 * The read-only view of the open request scope the current code runs in, or `null` outside any
 * request or after the request closed. It is the same object diagnostics messages carry, so
 * integrations key per-request state by it (the SDK does); application code reads the tenant
 * with `getCurrentTenant()` instead.
 *
 * @example
 * ```ts
 * const scope = currentRequestScope()
 * if (scope) perRequest.set(scope, state)
 * ```
 */
export function currentRequestScope(): ScopeView | null {
  const request = storage.getStore()?.request
  return request && !request.closed ? (request as RequestScope).view : null
}

/** A view with getters only: a subscriber cannot reach the scope's setTenant or close. */
class ReadonlyScope implements ScopeView {
  readonly #scope: RequestScope

  constructor(scope: RequestScope) {
    this.#scope = scope
  }

  get request() {
    return this.#scope.request
  }

  get tenantId() {
    return this.#scope.tenantId
  }

  get closed() {
    return this.#scope.closed
  }
}
