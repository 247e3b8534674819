/**
 * `tracium.trace()`: one trace per HTTP request, for every adapter, learned only from the
 * diagnostics events of `@tracium/core` (no adapter imports the SDK, DESIGN.md Events).
 *
 * - `scope-open` notes when the request started and what it was (`{ method, url }`).
 * - `resolved` notes which source gave the tenant.
 * - The trace starts lazily: on the first `currentTrace()` / `tracium.span()` in the request,
 *   or when the request closes. By then the tenant is resolved, so the trace records it (S5),
 *   and its start time is still the request's.
 * - `scope-close` names the trace by route and ends it: failed when the client aborted, the
 *   status is 5xx or a span failed (as the Python SDK's web traces do), else completed.
 *
 * Per-request state lives in a WeakMap keyed by core's RequestScope, so a request that never
 * closes (a bug elsewhere) cannot leak it.
 */
import diagnostics from 'node:diagnostics_channel'
import {
  currentRequestScope,
  type ScopeCloseMessage,
  type ScopeOpenMessage,
  type ScopeRequestInfo,
  type ScopeView,
  TENANT_CHANNELS,
  type TenantResolvedMessage,
} from '@tracium/core'
import type { Client } from './client.js'
import { invalidArgument } from './errors.js'
import { getClient, init, initOptions, peekClient, type TraciumOptions } from './init.js'
import { LIMITS, normalizeTags } from './limits.js'
import { checkOptionNames, INIT_OPTION_NAMES } from './option-names.js'
import type { TraceRecord } from './records.js'
import { requestRecord, writesRecordAlone } from './request-record.js'
import { newTrace } from './start-trace.js'
import { adjustTrace, type Trace, type TraceStart } from './trace.js'
import { warnOnce } from './warn.js'

/**
 * Options of {@link trace}: `init`'s, plus how requests become traces.
 * @example
 * ```ts
 * tracium.trace({ onlyWhenUsed: true, defaultTags: ['api'] })
 * ```
 */
export interface TraceOptions extends TraciumOptions {
  /**
   * `true`: only requests that use tracing (call `tracium.span()` or `currentTrace()`) become
   * traces, as in the Python SDK; health checks and static files then leave no trace.
   * Default: `false`, every request becomes a trace.
   */
  onlyWhenUsed?: boolean
}

/** The names `trace()` takes: `init()`'s and its own. */
const TRACE_OPTION_NAMES = [...INIT_OPTION_NAMES, 'onlyWhenUsed']

/** A request's state; it is also its trace's start (one object per request, not two). */
interface RequestState extends TraceStart {
  readonly scope: ScopeView
  readonly request: ScopeRequestInfo | undefined
  tenantSource: string | null
  trace: Trace | null
}

/** `metadata.http` of a request trace; key order is the record's. */
interface HttpInfo {
  method: string | null
  path: string
  route?: string
  statusCode?: number
  aborted?: boolean
  tenantSource?: string
}

// Every request trace carries this tag, after the client's default tags; normalized once per
// client.
const HTTP_TAGS = ['@http']
const httpTags = new WeakMap<Client, readonly string[]>()

function httpTagsOf(client: Client): readonly string[] {
  let tags = httpTags.get(client)
  if (tags === undefined) {
    tags = normalizeTags(client.config.defaultTags, HTTP_TAGS)
    httpTags.set(client, tags)
  }
  return tags
}

const requests = new WeakMap<ScopeView, RequestState>()
let settings: { onlyWhenUsed: boolean } | null = null

/**
 * `init(options)` (added over the options of an earlier `init()`, which are kept), then one
 * trace per HTTP request handled by any Tracium adapter
 * (`@tracium/express`, `@tracium/fastify`, `@tracium/koa`, `@tracium/nestjs`). Each request's
 * trace is named by its route pattern (`/users/:id` → `users-id`, `/` → `index`; a request no route
 * matched, such as a 404, is `unmatched`), tagged `@http`, carries
 * `metadata.http` (method, path, route, status code, tenant source) and the request's tenant.
 * Inside the request, `tracium.span()` adds spans to it.
 *
 * @throws {TraciumError} `INVALID_ARGUMENT` for an option that breaks a limit.
 * @example
 * ```ts
 * import * as tracium from '@tracium/sdk'
 * import { traciumTenant } from '@tracium/express'
 *
 * tracium.trace()
 * app.use(traciumTenant({ required: true }))
 * app.post('/chat', async (req, res) => {
 *   const reply = await tracium.span({ spanType: 'llm', name: 'chat' }, () => llm.chat(req.body))
 *   res.json(reply)
 * })
 * ```
 */
export function trace(options: TraceOptions = {}): void {
  if (typeof options !== 'object' || options === null) {
    throw invalidArgument('trace(options) takes an options object.')
  }
  checkOptionNames(options, TRACE_OPTION_NAMES, 'trace')
  const { onlyWhenUsed = false, ...own } = options
  // After init(options), trace() keeps them (it used to reset them to the defaults: API key,
  // prices, store folder and agent name were lost); options given here are added over them.
  if (Object.keys(own).length > 0 || peekClient() === null) init({ ...initOptions(), ...own })
  if (settings === null) {
    diagnostics.subscribe(TENANT_CHANNELS.scopeOpen, onOpen)
    diagnostics.subscribe(TENANT_CHANNELS.resolved, onResolved)
    diagnostics.subscribe(TENANT_CHANNELS.scopeClose, onClose)
  }
  settings = { onlyWhenUsed }
}

/**
 * Stops per-request traces; `shutdown()` calls it. Requests already open get no trace.
 * @example
 * ```ts
 * stopRequestTracing() // requests opened from now on get no trace
 * ```
 */
export function stopRequestTracing(): void {
  if (settings === null) return
  settings = null
  diagnostics.unsubscribe(TENANT_CHANNELS.scopeOpen, onOpen)
  diagnostics.unsubscribe(TENANT_CHANNELS.resolved, onResolved)
  diagnostics.unsubscribe(TENANT_CHANNELS.scopeClose, onClose)
}

/**
 * The trace of the request the current code runs in, started now if it was not yet; `null`
 * outside a request, after it closed, or when `trace()` is off.
 * @example
 * ```ts
 * requestTrace()?.agentName // 'users-id' inside GET /users/42
 * ```
 */
export function requestTrace(): Trace | null {
  if (settings === null) return null
  const scope = currentRequestScope()
  const state = scope && requests.get(scope)
  if (!state) return null
  state.trace ??= begin(state, getClient())
  return state.trace
}

/**
 * The agent name for a route or path: slashes become dashes, other characters an agent name
 * cannot hold are dropped, `/` is `index` (the Python SDK's web trace names).
 * @example
 * ```ts
 * routeAgentName('/users/:id') // 'users-id'
 * ```
 */
export function routeAgentName(routeOrUrl: string): string {
  let name = agentNames.get(routeOrUrl)
  if (name === undefined) {
    name = toAgentName(routeOrUrl)
    // Routes are few, but unrouted paths are not: bound the cache, never grow with traffic.
    if (agentNames.size >= AGENT_NAME_CACHE_SIZE) agentNames.clear()
    agentNames.set(routeOrUrl, name)
  }
  return name
}

// Three regular expressions per name, twice per request, were a visible part of a request
// trace's cost (bench/README.md); the same few routes come back on every request.
const AGENT_NAME_CACHE_SIZE = 1000
const agentNames = new Map<string, string>()

function toAgentName(routeOrUrl: string): string {
  const name = pathOf(routeOrUrl)
    .replace(/^\/+|\/+$/g, '')
    .replace(/\//g, '-')
    .replace(/[^A-Za-z0-9 ._-]/g, '')
    .slice(0, LIMITS.agentNameLength)
  return name === '' ? 'index' : name
}

// Subscribers run inside core's publish(); an exception there would surface as an uncaught
// exception in the app, so each one is fail-open.
function failOpen<M>(handler: (message: M) => void): (message: unknown) => void {
  return (message) => {
    try {
      handler(message as M)
    } catch (error) {
      warnOnce('TRACIUM_EXPORT_FAILED', `Tracium could not trace a request (${String(error)}).`)
    }
  }
}

const onOpen = failOpen<ScopeOpenMessage>(({ scope }) => {
  requests.set(scope, {
    scope,
    request: scope.request,
    epochMs: Date.now(),
    mark: performance.now(),
    tenantSource: null,
    trace: null,
  })
})

const onResolved = failOpen<TenantResolvedMessage>(({ scope, source }) => {
  const state = requests.get(scope)
  if (state) state.tenantSource = source
})

const onClose = failOpen<ScopeCloseMessage>((close) => {
  const state = requests.get(close.scope)
  if (!state) return
  requests.delete(close.scope)
  if (state.trace !== null) {
    // Started during the request: now its route and its end are known.
    adjustTrace(state.trace, {
      agentName: closedName(close),
      metadata: { ...state.trace.metadata, http: httpInfo(state, close) },
    })
    finish(state.trace, close)
  } else if (!settings?.onlyWhenUsed) {
    // Most requests: the trace starts (dated from the request's start) and ends right here.
    const client = getClient()
    if (writesRecordAlone(client)) client.exportRecord(closedRecord(state, close, client))
    else finish(begin(state, client, close), close)
  }
})

/** The record of a request trace that began and ended at the close, without a Trace. */
function closedRecord(state: RequestState, close: ScopeCloseMessage, client: Client): TraceRecord {
  return requestRecord(
    {
      agentName: closedName(close),
      tenantId: state.scope.tenantId,
      start: state,
      http: httpInfo(state, close),
      tags: httpTagsOf(client),
      failure: closeFailure(close),
    },
    client,
  )
}

/**
 * The agent name of every request no route matched: 404s, and requests a middleware answered
 * before routing (on Express and Koa, a tenant rejection). One name, so that a scan of random
 * paths cannot create one agent per path.
 * @example
 * ```ts
 * report.agents.find((a) => a.agentName === UNMATCHED_AGENT)?.traces // the 404s and such
 * ```
 */
export const UNMATCHED_AGENT = 'unmatched'

/** A closed request's name: its route pattern, else {@link UNMATCHED_AGENT}. */
function closedName(close: ScopeCloseMessage): string {
  return close.route === undefined ? UNMATCHED_AGENT : routeAgentName(close.route)
}

/**
 * The request's trace. Named by route once the request closed; a trace started during the
 * request is named by its path until then (its route may not be matched yet).
 */
function begin(state: RequestState, client: Client, close?: ScopeCloseMessage): Trace {
  const agentName =
    close === undefined ? routeAgentName(pathOf(state.request?.url ?? '/')) : closedName(close)
  return newTrace({ agentName }, client, {
    start: state,
    // The request's tenant, even when the trace starts lazily inside withTenant(other, …).
    tenantId: state.scope.tenantId,
    trustedMetadata: { http: httpInfo(state, close) },
    trustedTags: httpTagsOf(client),
    // Begun at the close, the trace ends at once: no span can start under it.
    endsAtOnce: close !== undefined,
  })
}

function finish(trace: Trace, close: ScopeCloseMessage): void {
  const failure = closeFailure(close)
  if (failure !== null) {
    trace.fail(failure)
  } else if (trace.spans.some((span) => span.status === 'failed')) {
    trace.fail('One or more spans in this trace failed')
  } else {
    trace.end()
  }
}

/** Why a request's trace failed by how the request closed (aborted, 5xx), or `null`. */
function closeFailure(close: ScopeCloseMessage): string | null {
  if (close.aborted) {
    return 'Request aborted: the client closed the connection before the response finished'
  }
  if (close.statusCode !== undefined && close.statusCode >= 500) return `HTTP ${close.statusCode}`
  return null
}

/** The request's `metadata.http`: what is known at the start, and how it ended once closed. */
function httpInfo(state: RequestState, close?: ScopeCloseMessage): HttpInfo {
  const info: HttpInfo = {
    method: state.request?.method ?? null,
    path: pathOf(state.request?.url ?? '/'),
  }
  if (close !== undefined) {
    if (close.route !== undefined) info.route = close.route
    if (close.statusCode !== undefined) info.statusCode = close.statusCode
    info.aborted = close.aborted
  }
  if (state.tenantSource !== null) info.tenantSource = state.tenantSource
  return info
}

// The query string is left out of names and metadata: it may carry tokens or a tenant (fromQuery).
function pathOf(url: string): string {
  const query = url.indexOf('?')
  const fragment = url.indexOf('#')
  const end = query === -1 ? fragment : fragment === -1 ? query : Math.min(query, fragment)
  return end === -1 ? url : url.slice(0, end)
}
