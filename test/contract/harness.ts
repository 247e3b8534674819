/**
 * What each adapter provides to the contract suite: an app with the contract routes, built with
 * that framework's idioms and the adapter under test. The suite (contract.ts) is written once.
 *
 * Routes every harness serves (all answer JSON unless said otherwise):
 * - `GET /tenant`: `{ reads, requestTenant }`. `reads` maps read points to `getCurrentTenant()`
 *   values: `before` (a middleware/hook registered BEFORE the adapter: must always be null),
 *   `handler` (in the handler), `nested` (after random awaits in a nested async function),
 *   `service` (in a service/helper module), and one entry per `hookPoints` name.
 *   `requestTenant` is the id the framework exposes (`req.tenant.id`, `ctx.state.tenant.id`, …).
 * - `POST /body`: same `reads` plus `afterBody` (read once the body was parsed) and
 *   `body: { note }` echoed from a JSON, urlencoded or multipart body.
 * - `POST /upload`: an `application/octet-stream` body the handler reads itself with
 *   `readUpload()` (stream `data` listeners); answers `{ bytes, chunkTenants }`.
 * - `GET /sse`: `text/event-stream`, 20 events `data: <tenant or null>` 10 ms apart.
 * - `GET /throw-sync`, `GET /throw-async`: the handler throws `new Error('boom')`; the app's own
 *   error handler answers 500 `{ errorHandlerTenant, message }`. Where the framework's idiom puts
 *   error handling upstream of the adapter (Koa's try/catch around `await next()`), that code runs
 *   outside the request's scope; such a harness mounts its handler after the adapter as well. A `TenantError` forwarded by
 *   `rejections: 'forward'` reaches the same handler, which answers its `status` with
 *   `{ forwarded: code, errorHandlerTenant }`.
 * - `GET /leak`: starts a 30 ms timer that pushes `getCurrentTenant()` into `probe.late`, then
 *   answers `{ ok: true }` at once.
 * - `GET /slow`: pushes the tenant into `probe.slowStarted` and never answers.
 * - `GET /health`: `{ health: 'ok', tenant }` (`getCurrentTenant()`), the usual excluded route.
 * - `GET /t/:tenant/whoami`: `{ tenant, param }`: `getCurrentTenant()` and the route parameter
 *   as the framework's router parsed it, to compare with `fromPath('/t/:tenant')`.
 * - `GET /lifecycle/stream`, `GET /lifecycle/generator`: `text/plain`, the framework's own way of
 *   sending a stream body: `tenantStream()` / `tenantGenerator()` (lifecycle-parts.ts).
 * - `GET /lifecycle/finish`: adds a `finish` listener to Node's response that pushes the tenant
 *   into `probe.finish`, then answers `{ ok: true }` the framework's usual way.
 * - `GET /lifecycle/hold`: `holdRequest(probe.held)`, never answers.
 */
import type { TraciumTenantOptions } from '@tracium/core'
import type { HeldRequest } from './lifecycle-parts.js'

/** Shared between the test and the app, which run in one process. */
export class Probe {
  /** Tenants read by timers that fire after their request's response. */
  readonly late: Array<string | null> = []
  /** Tenants of `/slow` requests that started. */
  readonly slowStarted: Array<string | null> = []
  /** Tenants read by `finish` listeners of `/lifecycle/finish` responses. */
  readonly finish: Array<string | null> = []
  /** `/lifecycle/hold` requests, never answered, each with a timer reading the tenant. */
  readonly held: HeldRequest[] = []
}

/** A running app. */
export interface ContractServer {
  readonly port: number
  close(): Promise<void>
}

/** How a framework's router matches paths (the fields of core's `PathRules`). */
export interface RoutingRule {
  readonly caseSensitive: boolean
  readonly strict: boolean
  readonly decode: boolean
}

/** Router settings a test may ask `start` for; omitted fields keep the framework's default. */
export interface RouterSettings {
  /** Express 'case sensitive routing', Fastify `routerOptions.caseSensitive`, @koa/router `sensitive`. */
  readonly caseSensitive?: boolean
  /** Express 'strict routing', Fastify `!routerOptions.ignoreTrailingSlash`, @koa/router `strict`. */
  readonly strict?: boolean
}

/** One adapter under the contract suite. */
export interface AdapterHarness {
  /** E.g. `express`, `nest-fastify`. */
  readonly name: string
  /** Read points inside framework hooks, guards, interceptors, pipes… reported by `/tenant`. */
  readonly hookPoints: readonly string[]
  /** The framework's routing rule with default settings. */
  readonly routing: RoutingRule
  /**
   * Whether the adapter sees the router's settings itself (Express app settings, Fastify server
   * options). Koa middleware cannot see @koa/router's options: there the app passes
   * `pathMatching`.
   */
  readonly seesRouterSettings: boolean
  /**
   * Starts the app on 127.0.0.1 with the adapter configured by `options`, and the framework's
   * router configured by `router` (default: the framework's defaults).
   */
  start(
    options: TraciumTenantOptions,
    probe: Probe,
    router?: RouterSettings,
  ): Promise<ContractServer>
}
