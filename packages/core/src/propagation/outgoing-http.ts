/**
 * Outgoing HTTP: the current tenant goes, as a header and optionally as W3C baggage, to the
 * origins the app lists, and to no other. An LLM provider or a third-party API must never learn
 * tenant ids, so this is opt-in and exact-origin only.
 *
 * How it hooks in, without patching anything:
 * - `fetch` and undici publish each request on the `undici:request:create` diagnostics channel
 *   before it is written, with `request.addHeader()`. fetch follows redirects itself, creating a
 *   new undici request for every hop, so the allowlist is checked again per hop and a redirect to
 *   another origin carries nothing of ours.
 * - `node:http`/`node:https` publish `http.client.request.created` before the headers are sent
 *   on Node >= 22.12 (22.x) and >= 23.2 (nodejs/node#55586). Node 20 has no such channel: there
 *   `tenantHeaders(url, headers)` applies the same rules by hand.
 * The subscribers run synchronously inside the caller's `fetch()`/`http.request()`, so they
 * read the caller's tenant.
 */
import diagnosticsChannel from 'node:diagnostics_channel'
import type { ClientRequest } from 'node:http'
import { warnMisuse } from '../misuse-warning.js'
import { optionsError } from '../resolution/options.js'
import { isHeaderName } from '../resolution/sources/header.js'
import { getCurrentTenant } from '../tenant-context.js'
import { TENANT_BAGGAGE_KEY, tenantBaggageMember } from './baggage.js'
import { TENANT_CARRIER_KEY } from './carrier.js'
import { OriginMatcher, parseOrigins } from './origins.js'

const PACKAGE = '@tracium/core'
const UNDICI_CHANNEL = 'undici:request:create'
const HTTP_CHANNEL = 'http.client.request.created'

/** Options of {@link propagateTenant}. */
export interface PropagateTenantOptions {
  /**
   * The origins that receive the tenant: absolute origins `scheme://host[:port]`
   * (`'https://billing.internal'`, `'http://127.0.0.1:4001'`), matched exactly after
   * normalisation (letter case, default ports). No paths, no wildcards. Required.
   */
  origins: ReadonlyArray<string>
  /**
   * The header that carries the tenant id, or `false` to send only `baggage`. Ids that are not
   * printable ASCII are not sent in it (servers decode non-ASCII header bytes differently); use
   * `baggage`, which percent-encodes. Default: `'x-tenant-id'`.
   */
  header?: string | false
  /**
   * Also add `tenant.id=<percent-encoded id>` to the W3C `baggage` header, for services that
   * read OpenTelemetry baggage. Default: `false`.
   */
  baggage?: boolean
}

/** What {@link propagateTenant} returns. */
export interface TenantPropagation {
  /** The allowlist, normalised (`'https://billing.internal'`). */
  readonly origins: ReadonlyArray<string>
  /**
   * Which clients get the tenant without any call of yours: `fetch` (and undici) always;
   * `http` (`node:http`/`node:https`) on Node >= 22.12. Where `http` is `false`, pass your
   * headers through {@link tenantHeaders}.
   */
  readonly automatic: { readonly fetch: boolean; readonly http: boolean }
  /** Stops propagating. Idempotent. */
  stop(): void
}

interface Config {
  readonly origins: ReadonlyArray<string>
  readonly matcher: OriginMatcher
  readonly header: string | null
  readonly baggage: boolean
}

// In the global symbol registry, so two copies of core (S8) share one propagation and cannot
// both add the header.
const ACTIVE_KEY = Symbol.for('@tracium/core:outgoing-propagation')
type Registry = { [ACTIVE_KEY]?: Config }
const registry = globalThis as Registry

/** Node publishes `http.client.request.created` from 22.12 (22.x) and 23.2 on. */
const HTTP_CLIENT_CREATED_CHANNEL = hasHttpClientCreated(process.versions.node)

function hasHttpClientCreated(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number)
  return major > 23 || (major === 23 && minor >= 2) || (major === 22 && minor >= 12)
}

const KNOWN = new Set(['origins', 'header', 'baggage'])

/**
 * Sends the current tenant (`getCurrentTenant()`) with outgoing HTTP requests to the listed
 * origins, and only to them: `fetch`/undici on every Node version, `node:http`/`https` on Node
 * >= 22.12 (on Node 20 use {@link tenantHeaders}). Nothing is sent when there is no tenant, and
 * a header the caller set itself (`x-tenant-id`, or a `tenant.id` baggage member) is left as it
 * is. Call it once at start-up; a second call while one is active throws (list every origin in
 * one call). Returns a handle whose `stop()` ends it.
 *
 * @throws {TraciumOptionsError} for a bad origin, header name or option, or when already active.
 * @example
 * ```ts
 * const propagation = propagateTenant({
 *   origins: ['https://billing.internal', 'http://127.0.0.1:4001'],
 *   baggage: true, // also W3C baggage: tenant.id=acme
 * })
 * await fetch('https://billing.internal/invoices') // x-tenant-id: acme
 * await fetch('https://api.openai.com/v1/chat/completions', init) // no tenant, ever
 * propagation.stop()
 * ```
 */
export function propagateTenant(options: PropagateTenantOptions): TenantPropagation {
  const config = checkOptions(options)
  if (registry[ACTIVE_KEY] !== undefined) {
    optionsError(
      PACKAGE,
      'propagateTenant() is already active. List every origin in one call, or call stop() on ' +
        'the handle the first call returned before starting another.',
    )
  }
  registry[ACTIVE_KEY] = config
  diagnosticsChannel.subscribe(UNDICI_CHANNEL, onUndiciRequest)
  if (HTTP_CLIENT_CREATED_CHANNEL) diagnosticsChannel.subscribe(HTTP_CHANNEL, onHttpRequest)
  let stopped = false
  return {
    origins: config.origins,
    automatic: { fetch: true, http: HTTP_CLIENT_CREATED_CHANNEL },
    stop() {
      if (stopped) return
      stopped = true
      if (registry[ACTIVE_KEY] !== config) return
      registry[ACTIVE_KEY] = undefined
      diagnosticsChannel.unsubscribe(UNDICI_CHANNEL, onUndiciRequest)
      if (HTTP_CLIENT_CREATED_CHANNEL) diagnosticsChannel.unsubscribe(HTTP_CHANNEL, onHttpRequest)
    },
  }
}

/**
 * Adds the current tenant to `headers` for a request to `url`, under the rules of the active
 * {@link propagateTenant}: only for an allowlisted origin, only with a tenant, never over a
 * header already there. Returns `headers` (a plain object or a `Headers`, changed in place; a
 * new object when omitted). Without an active `propagateTenant` it adds nothing.
 *
 * Needed for `node:http`/`https` on Node 20, where no channel lets core add the header; harmless
 * everywhere else (the automatic path then finds the header set and leaves it).
 *
 * @param url the request URL; only its origin is compared.
 * @param headers the request's headers. Default: a new object.
 * @example
 * ```ts
 * const url = 'http://127.0.0.1:4001/invoices'
 * http.get(url, { headers: tenantHeaders(url, { accept: 'application/json' }) }, onResponse)
 * ```
 */
export function tenantHeaders<H extends Record<string, unknown> | Headers = Record<string, string>>(
  url: string | URL,
  headers?: H,
): H {
  const target = headers ?? ({} as H)
  const config = registry[ACTIVE_KEY]
  if (config === undefined) return target
  const tenantId = getCurrentTenant()
  if (tenantId === null) return target
  let origin: string
  try {
    origin = new URL(String(url)).origin
  } catch {
    return target // not an absolute URL: no origin to match, so nothing of ours goes
  }
  if (!config.matcher.matches(origin)) return target
  if (target instanceof Headers) {
    const baggage = baggageValues(target.get('baggage'))
    apply(config, tenantId, config.header !== null && target.has(config.header), baggage, {
      setHeader: (name, value) => target.set(name, value),
      addBaggage: (member, existing) => target.set('baggage', joined(member, existing)),
    })
    return target
  }
  const record = target as Record<string, unknown>
  const keys = Object.keys(record)
  const headerKey = config.header === null ? undefined : findKey(keys, config.header)
  const baggageKey = findKey(keys, 'baggage')
  const baggage = baggageValues(baggageKey === undefined ? undefined : record[baggageKey])
  apply(config, tenantId, headerKey !== undefined, baggage, {
    setHeader: (name, value) => {
      record[name] = value
    },
    addBaggage: (member, existing) => {
      record[baggageKey ?? 'baggage'] = joined(member, existing)
    },
  })
  return target
}

interface Writer {
  setHeader(name: string, value: string): void
  /** Adds `member` to the request's baggage, whose current values are `existing`. */
  addBaggage(member: string, existing: ReadonlyArray<string>): void
}

/** For clients whose headers can be replaced: one `baggage` header, the list with ours last. */
const joined = (member: string, existing: ReadonlyArray<string>): string =>
  [...existing, member].join(',')

/** The one set of rules every path applies, once the origin is known to be allowed. */
function apply(
  config: Config,
  tenantId: string,
  headerPresent: boolean,
  baggage: ReadonlyArray<string>,
  writer: Writer,
): void {
  if (config.header !== null && !headerPresent) {
    if (PRINTABLE_ASCII.test(tenantId)) writer.setHeader(config.header, tenantId)
    else warnNotAscii(config.header)
  }
  if (!config.baggage) return
  const result = tenantBaggageMember(baggage, tenantId)
  if ('member' in result) writer.addBaggage(result.member, baggage)
  else if (result.skipped === 'limit') warnBaggageLimit()
}

// S6 already excludes control characters; this also keeps non-ASCII out of a header value.
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/

function onUndiciRequest(message: unknown): void {
  const request = (message as { request?: UndiciRequest } | null)?.request
  if (request == null || typeof request.addHeader !== 'function') return
  guarded(() => {
    const config = registry[ACTIVE_KEY]
    if (config === undefined) return
    const tenantId = getCurrentTenant()
    if (tenantId === null || !config.matcher.matches(String(request.origin))) return
    const { present, baggage } = scanUndiciHeaders(request.headers, config.header)
    apply(config, tenantId, present, baggage, {
      setHeader: (name, value) => request.addHeader(name, value),
      // undici cannot replace a header, so our member goes in a second `baggage` line: W3C
      // Baggage allows several, and receivers combine them into one list (RFC 9110 5.3).
      addBaggage: (member) => request.addHeader('baggage', member),
    })
  })
}

function onHttpRequest(message: unknown): void {
  const request = (message as { request?: ClientRequest } | null)?.request
  if (request == null || typeof request.setHeader !== 'function') return
  guarded(() => {
    const config = registry[ACTIVE_KEY]
    if (config === undefined) return
    const tenantId = getCurrentTenant()
    if (tenantId === null) return
    const origin = httpOrigin(request)
    if (origin === null || !config.matcher.matches(origin)) return
    if (request.headersSent) {
      // Headers given as a raw array (or with `expect`) are serialised in the constructor.
      warnMisuse(
        'propagation:http-headers-sent',
        `${PACKAGE}: a node:http request to ${origin} had its headers serialised before ` +
          'propagateTenant() could add the tenant (raw-array headers or an Expect header). Pass ' +
          'the headers through tenantHeaders(url, headers) for such requests.',
      )
      return
    }
    apply(
      config,
      tenantId,
      config.header !== null && request.hasHeader(config.header),
      baggageValues(request.getHeader('baggage')),
      {
        setHeader: (name, value) => request.setHeader(name, value),
        addBaggage: (member, existing) => request.setHeader('baggage', joined(member, existing)),
      },
    )
  })
}

/**
 * The origin a `ClientRequest` connects to. Node keeps the scheme and host name but not the
 * port; the port is read from the Host header, and only when that header names the same host,
 * so a custom Host header (a virtual host, `setHost: false`) or a Unix socket never guesses an
 * origin: such a request gets nothing (use `tenantHeaders`).
 */
function httpOrigin(request: ClientRequest): string | null {
  const { protocol, host } = request
  if ((request as { socketPath?: string }).socketPath) return null
  const hostHeader = request.getHeader('host')
  if (typeof hostHeader !== 'string' || typeof host !== 'string') return null
  let url: URL
  try {
    url = new URL(`${protocol}//${hostHeader}`)
  } catch {
    return null
  }
  const connected = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
  let connectedName: string
  try {
    connectedName = new URL(`${protocol}//${connected}`).hostname
  } catch {
    return null
  }
  return connectedName === url.hostname ? url.origin : null
}

/** What core uses of undici's request object (undici 5: headers as one string). */
interface UndiciRequest {
  readonly origin: unknown
  readonly headers: unknown
  addHeader(name: string, value: string): unknown
}

/** Whether `header` is set, and the `baggage` values, from undici's header list. */
function scanUndiciHeaders(
  headers: unknown,
  header: string | null,
): { present: boolean; baggage: string[] } {
  let present = false
  const baggage: string[] = []
  const visit = (name: string, value: unknown): void => {
    const lower = name.toLowerCase()
    if (lower === header) present = true
    else if (lower === 'baggage') baggage.push(...baggageValues(value))
  }
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) visit(String(headers[i]), headers[i + 1])
  } else if (typeof headers === 'string') {
    for (const line of headers.split('\r\n')) {
      const colon = line.indexOf(':')
      if (colon > 0) visit(line.slice(0, colon), line.slice(colon + 1).trim())
    }
  }
  return { present, baggage }
}

function baggageValues(value: unknown): string[] {
  if (value === undefined || value === null) return []
  if (Array.isArray(value)) return value.map(String)
  return [String(value)]
}

function findKey(keys: ReadonlyArray<string>, name: string): string | undefined {
  for (const key of keys) if (key.toLowerCase() === name) return key
  return undefined
}

/**
 * A diagnostics-channel subscriber that throws takes the process down (the error is rethrown
 * as an uncaught exception), so a fault here costs the tenant header, never the app.
 */
function guarded(fn: () => void): void {
  try {
    fn()
  } catch (err) {
    warnMisuse(
      'propagation:fault',
      `${PACKAGE}: propagateTenant() could not add the tenant to an outgoing request and sent it without: ${(err as Error)?.message ?? String(err)}`,
    )
  }
}

function warnNotAscii(header: string): void {
  warnMisuse(
    'propagation:not-ascii',
    `${PACKAGE}: a tenant id that is not printable ASCII was not sent in the ${header} header: ` +
      'servers decode non-ASCII header bytes differently, so the receiver could read another ' +
      'id. Use propagateTenant({ baggage: true }), which percent-encodes, or an id policy ' +
      'that keeps ids ASCII.',
  )
}

function warnBaggageLimit(): void {
  warnMisuse(
    'propagation:baggage-limit',
    `${PACKAGE}: the ${TENANT_BAGGAGE_KEY} baggage member was not added: the request's baggage ` +
      'header is at the W3C limit (64 members or 8192 bytes), beyond which members may be ' +
      'dropped on the way. Send fewer baggage members, or rely on the tenant header.',
  )
}

function checkOptions(options: PropagateTenantOptions): Config {
  if (typeof options !== 'object' || options === null) {
    optionsError(
      PACKAGE,
      "propagateTenant(options): options must be an object, e.g. { origins: ['https://billing.internal'] }.",
    )
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) {
      optionsError(
        PACKAGE,
        `propagateTenant(): unknown option "${key}". Known options: ${[...KNOWN].join(', ')}.`,
      )
    }
  }
  const origins = parseOrigins(options.origins)
  const { header = TENANT_CARRIER_KEY, baggage = false } = options
  if (header !== false && !isHeaderName(header)) {
    optionsError(
      PACKAGE,
      `propagateTenant(): option "header" must be a header name such as 'x-tenant-id', or false to send only baggage; got ${JSON.stringify(header)}.`,
    )
  }
  if (typeof baggage !== 'boolean') {
    optionsError(PACKAGE, 'propagateTenant(): option "baggage" must be true or false.')
  }
  const name = header === false ? null : header.toLowerCase()
  if (name === 'baggage' || name === 'host') {
    optionsError(
      PACKAGE,
      `propagateTenant(): option "header" cannot be "${name}"; use baggage: true for W3C baggage, or a header of your own such as 'x-tenant-id'.`,
    )
  }
  if (name === null && !baggage) {
    optionsError(
      PACKAGE,
      'propagateTenant(): with header: false and baggage: false nothing would be sent. Keep the ' +
        'header (the default), or set baggage: true.',
    )
  }
  return { origins: [...origins], matcher: new OriginMatcher(origins), header: name, baggage }
}
