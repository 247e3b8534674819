/**
 * The Fastify adapter: translates the request for core, opens the scope, answers rejections.
 * All tenant behaviour lives in @tracium/core.
 */
import {
  createTenantResolver,
  fastifyPathRules,
  handleRejection,
  openHttpScope,
  type RequestScope,
  type ResolvedTenant,
  resolveInScope,
  type TenantRequest,
  type TenantResolver,
  TraciumOptionsError,
  type TraciumTenantOptions,
} from '@tracium/core'
import type { FastifyPluginCallback, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { answerTenantErrors, sendProblem } from './reply-errors.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The tenant Tracium resolved for this request: `{ id, source, claims? }`; `null` before. */
    tenant: ResolvedTenant | null
  }
}

/** Options of {@link traciumTenant}: the shared `TraciumTenantOptions` of `@tracium/core`. */
export type TraciumFastifyOptions = TraciumTenantOptions

const kScope = Symbol('@tracium/fastify:scope')
type ScopedRequest = FastifyRequest & { [kScope]: RequestScope | null }

const plugin: FastifyPluginCallback<TraciumFastifyOptions> = (fastify, options, done) => {
  if (typeof fastify?.addHook !== 'function' || typeof done !== 'function') {
    // `app.register(traciumTenant())`: the plugin was called by hand, at start-up.
    throw new TraciumOptionsError(
      '@tracium/fastify: traciumTenant is the plugin itself; register it without calling it: ' +
        'await app.register(traciumTenant, { ...options }).',
    )
  }
  let resolver: TenantResolver
  try {
    // `exclude` and `fromPath` follow this server's routing options, fixed at construction:
    // https://fastify.dev/docs/latest/Reference/Server/#routeroptions
    resolver = createTenantResolver(withoutRegisterOptions(options), {
      packageName: '@tracium/fastify',
      pathRules: fastifyPathRules(fastify.initialConfig),
    })
  } catch (error) {
    return done(error as Error) // E3: `await app.register(...)` rejects with the message
  }
  // Registered again (also in an encapsulated child): the first registration's decorations and
  // hooks already cover this context. Its own onRequest hook still runs, and core reuses the
  // request's open scope and applies only this registration's rules to it (issue 9 #9).
  const first = !fastify.hasRequestDecorator(kScope)
  if (first) {
    // Decorated with null, not assigned ad hoc, so every request object keeps one shape.
    fastify.decorateRequest('tenant', null)
    fastify.decorateRequest(kScope, null)
  }

  fastify.addHook('onRequest', function traciumOnRequest(request, reply, next) {
    const scope = openHttpScope(request.raw, reply.raw, request.url, () => request.routeOptions.url)
    ;(request as ScopedRequest)[kScope] = scope
    const tenantRequest: TenantRequest = {
      method: request.method,
      url: request.url,
      headers: request.headers,
      rawHeaders: request.raw.rawHeaders,
      // Fastify routes before onRequest, so route params are known here: fromPath({ param }).
      params: request.params as TenantRequest['params'],
      raw: request,
    }
    // Callback-style hook on purpose: next() runs inside the scope, so every later hook, the
    // body parser, the handler and the error handler inherit it (S1).
    resolveInScope(
      resolver,
      scope,
      tenantRequest,
      (tenant) => {
        request.tenant = tenant
        next()
      },
      (error) =>
        handleRejection(
          error,
          resolver.rejections,
          (problem) => sendProblem(reply, problem),
          (forwarded) => next(forwarded as Error),
        ),
    )
  })
  if (!first) return done()
  answerTenantErrors(fastify)

  // Fastify 5 runs content-type parsers' callbacks in the request's context (an AsyncResource in
  // ContentTypeParser.run), but a hook or parser that calls back from a foreign context (a
  // callback-style pool or client, a stream event) loses the scope for the rest of the request.
  // Re-enter it before validation, as @fastify/request-context does; fastify.extra.test.ts shows
  // the loss. https://github.com/fastify/fastify-request-context/pull/12
  fastify.addHook('preValidation', function traciumPreValidation(request, _reply, next) {
    const scope = (request as ScopedRequest)[kScope]
    // Only when lost: re-entering costs an AsyncLocalStorage.run per request for nothing.
    if (scope && !scope.isCurrent()) scope.run(next)
    else next()
  })
  done()
}

/**
 * Fastify plugin that runs each request in its own tenant scope (S1), resolves the tenant
 * (default: the `X-Tenant-ID` header) and exposes it as `request.tenant`, to
 * `getCurrentTenant()` and to everything the request calls. Wrapped with `fastify-plugin`, so it
 * applies to the whole app; register it before your own hooks.
 *
 * A rejected request gets the error's status and an `application/problem+json` body, or, with
 * `rejections: 'forward'`, goes to your `setErrorHandler` as a `TenantError`. A `TenantError`
 * your own code throws takes Fastify's error path too; whatever your error handler leaves to
 * Fastify's default answer (no handler, a rethrow, `reply.send(error)`) gets the same
 * problem+json body instead of Fastify's `{ statusCode, error, message }`.
 *
 * @param options see `TraciumTenantOptions`. Default: `{}` (header source, tenant optional).
 * @throws {TraciumOptionsError} from `app.register()` for options that cannot work (E3).
 * @example
 * ```ts
 * import Fastify from 'fastify'
 * import { getCurrentTenant, traciumTenant } from '@tracium/fastify'
 *
 * const app = Fastify()
 * await app.register(traciumTenant, { required: true })
 * app.post('/chat', async (request) => ({ tenant: getCurrentTenant(), same: request.tenant?.id }))
 * ```
 */
export const traciumTenant = fp(plugin, { fastify: '5.x', name: '@tracium/fastify' })

// Fastify reserves these register options for itself; with fastify-plugin they do nothing here.
// https://fastify.dev/docs/latest/Reference/Plugins/#plugin-options
const REGISTER_OPTIONS = new Set(['prefix', 'logLevel', 'logSerializers'])
function withoutRegisterOptions(options: TraciumFastifyOptions): TraciumFastifyOptions {
  return Object.fromEntries(Object.entries(options).filter(([key]) => !REGISTER_OPTIONS.has(key)))
}
