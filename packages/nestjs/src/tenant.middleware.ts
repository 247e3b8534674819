/**
 * The Nest middleware: translates the request for core, opens the scope, answers rejections.
 * All tenant behaviour lives in @tracium/core. Runs on platform-express (Express's req/res) and
 * platform-fastify (middie passes Node's raw IncomingMessage/ServerResponse).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { Inject, Injectable, type NestMiddleware } from '@nestjs/common'
import {
  exposeRequestTenant,
  expressRoute,
  handleRejection,
  openHttpScope,
  type ProblemResponse,
  type ResolvedTenant,
  resolveInScope,
  type TenantResolver,
} from '@tracium/core'

/** Injection token of the module's `TenantResolver` (built from the options once). */
export const TRACIUM_TENANT_RESOLVER = Symbol('@tracium/nestjs:resolver')

/** The request as both platforms hand it to middleware. */
type MiddlewareRequest = IncomingMessage & {
  originalUrl?: string
  tenant?: ResolvedTenant
  route?: { path?: unknown }
  baseUrl?: string
  [FASTIFY_REQUEST]?: { readonly routeOptions: { readonly url?: string } }
}

/**
 * Where the module's Fastify `onRequest` hook leaves the Fastify request on Node's request
 * (`tenant.module.ts`): middie hands Nest middleware only the raw request, which does not know
 * its route.
 */
export const FASTIFY_REQUEST = Symbol.for('@tracium/nestjs:fastify-request')

/**
 * Runs each request in its own tenant scope (S1), resolves its tenant and sets `req.tenant`.
 * `TraciumTenantModule` mounts it for every route; you do not apply it yourself.
 */
@Injectable()
export class TenantMiddleware implements NestMiddleware {
  constructor(@Inject(TRACIUM_TENANT_RESOLVER) private readonly resolver: TenantResolver) {}

  use(req: MiddlewareRequest, res: ServerResponse, next: (error?: unknown) => void) {
    // middie (Fastify) rewrites req.url below a mount path and keeps the original, as Express does.
    const url = req.originalUrl ?? req.url ?? '/'
    const scope = openHttpScope(req, res, url, () => routeOf(req, url))
    const request = {
      method: req.method ?? 'GET',
      url,
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      raw: req,
    }
    return resolveInScope<void>(
      this.resolver,
      scope,
      request,
      (tenant) => {
        exposeRequestTenant(req, res, tenant)
        next()
      },
      // Forwarded by a throw, not next(error): Nest's middleware proxy hands what a middleware
      // throws (or its promise rejects with) to the exception filters; Express's next(err)
      // would skip them.
      (error) =>
        handleRejection(
          error,
          this.resolver.rejections,
          (problem) => sendProblem(res, problem),
          (forwarded) => {
            throw forwarded
          },
        ),
    )
  }
}

/** Both platforms hand middleware Node's own response, so it is written directly. */
function sendProblem(res: ServerResponse, { status, headers, body }: ProblemResponse): void {
  res.writeHead(status, headers).end(body)
}

function routeOf(req: MiddlewareRequest, url: string): string | undefined {
  // Express sets req.route to the matched route; middie's raw request has none. Read first: on
  // Express, the Fastify key is on no request, and looking it up walks the whole prototype chain
  // of an object with a map of its own (expressjs/express#5998), about a µs of every traced
  // request on Nest over Express.
  const path = req.route?.path
  if (path !== undefined) return expressRoute(url, req.baseUrl, path)
  // Fastify: the route of the Fastify request (read only here: routeOptions is built per read).
  const fastify = req[FASTIFY_REQUEST]
  return fastify === undefined ? undefined : fastify.routeOptions.url
}
