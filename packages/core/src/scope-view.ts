/**
 * What collaborators see of a request scope. Diagnostics subscribers and integrations get a
 * read-only view (tenant, request, closed), never the scope itself: only the adapter that
 * opened a scope may set its tenant or close it.
 */

/** What a scope knows of its request, for diagnostics subscribers (e.g. trace names). */
export interface ScopeRequestInfo {
  /** HTTP method, e.g. `GET`. */
  readonly method: string
  /** Request target as received, e.g. `/chat?x=1`. */
  readonly url: string
}

/** How a request ended; passed to `RequestScope.close`. */
export interface ScopeCloseInfo {
  /** `true` when the client went away before the response finished. Default: `false`. */
  aborted?: boolean
  /** The response status code, when one was sent. */
  statusCode?: number
  /** The matched route pattern, e.g. `/users/:id`, when the framework knows it. */
  route?: string
}

/**
 * A read-only view of one request's scope. The same object for the whole request, so it can
 * key per-request state (a `WeakMap`), as the SDK does.
 *
 * @example
 * ```ts
 * diagnostics.subscribe(TENANT_CHANNELS.scopeClose, (message) => {
 *   const { scope } = message as ScopeCloseMessage
 *   log(scope.request?.url, scope.tenantId)
 * })
 * ```
 */
export interface ScopeView {
  /** What the scope knows of its request; `undefined` for a scope opened without it. */
  readonly request: ScopeRequestInfo | undefined
  /** The request's tenant now, or `null`. */
  readonly tenantId: string | null
  /** `true` once the response has closed (S2). */
  readonly closed: boolean
}
