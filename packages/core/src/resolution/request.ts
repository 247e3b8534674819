/**
 * The framework-neutral view of a request that sources read. Adapters build it cheaply from
 * what the framework already parsed; nothing here is computed unless a source asks for it.
 */

/** Header values as Node's `IncomingMessage.headers` holds them (lower-case names). */
export type TenantRequestHeaders = Readonly<Record<string, string | string[] | undefined>>

/** What a tenant source may read of a request. */
export interface TenantRequest {
  /** HTTP method, e.g. `GET`. */
  readonly method: string
  /** Request target as received: path and query, e.g. `/t/acme/chat?x=1`. */
  readonly url: string
  /** Request headers with lower-case names, as Node parses them. */
  readonly headers: TenantRequestHeaders
  /** The Host header as received. Default: `headers.host` (or HTTP/2 `:authority`). */
  readonly host?: string
  /** Cookies, when the framework has parsed them. Default: parsed from the Cookie header. */
  readonly cookies?: Readonly<Record<string, string | undefined>>
  /** Route parameters, when the framework knows them at this point. */
  readonly params?: Readonly<Record<string, string | undefined>>
  /**
   * The headers as received, `name, value, name, value…` (Node's `req.rawHeaders`; HTTP/2
   * compat requests have it too). Sources that promise one value read it to see repeats Node
   * drops from `headers` (a second `Authorization` or `Host`). Default: none; then only what
   * `headers` shows is checked, so an integration that builds its own `TenantRequest` should
   * pass it.
   */
  readonly rawHeaders?: readonly string[]
  /** The framework's own request object, for custom sources. */
  readonly raw?: unknown
}

/**
 * The path of `url` without its query string. An absolute-form target (`GET http://host/t/acme`,
 * which routers accept) loses its scheme and authority, so sources read the path routers match.
 */
export function pathOf(url: string): string {
  const query = url.indexOf('?')
  const target = query === -1 ? url : url.slice(0, query)
  if (target.startsWith('/')) return target
  const authority = target.indexOf('://')
  if (authority === -1) return target
  const path = target.indexOf('/', authority + 3)
  return path === -1 ? '/' : target.slice(path)
}

/** The Host of a request, as received. */
export function hostOf(request: TenantRequest): string | undefined {
  if (request.host !== undefined) return request.host
  const host = request.headers.host ?? request.headers[':authority']
  return typeof host === 'string' ? host : undefined
}
