import type { AddressInfo } from 'node:net'
import { PassThrough } from 'node:stream'
import { setImmediate as immediate, setTimeout as sleep } from 'node:timers/promises'
import { Router } from '@koa/router'
import { getCurrentTenant, requireTenant } from '@tracium/core'
import { traciumTenant } from '@tracium/koa'
import Koa, { type Middleware } from 'koa'
import { koaBody } from 'koa-body'
import {
  errorBody,
  handlerReads,
  leakTimer,
  passesOn,
  readUpload,
  requireAfterAwait,
  streamEvents,
} from './app-parts.js'
import type { AdapterHarness } from './harness.js'
import { koaPeers } from './koa.peers.js'
import { holdRequest, tenantGenerator, tenantStream } from './lifecycle-parts.js'

type Reads = Record<string, string | null>

/**
 * Where the error handler goes. Koa's idiom is one `try { await next() } catch` at the top of the
 * chain, but that one runs BEFORE traciumTenant, so its catch block resumes in its own async
 * context, outside the request scope: `getCurrentTenant()` is `null` there (measured on Node 20,
 * 22 and 24; so is `app.on('error')`, which Koa calls from `handleRequest`'s `.catch`, also
 * outside). Mounted right after traciumTenant, the same handler runs inside the scope and reads
 * the tenant. A TenantError forwarded by `rejections: 'forward'` is thrown by traciumTenant itself
 * and so only reaches handlers mounted before it: the app mounts the same handler in both places.
 */
const onError: Middleware = async (ctx, next) => {
  try {
    await next()
  } catch (error) {
    if (passesOn(ctx.headers, error)) throw error
    const { status, body } = errorBody(error)
    ctx.status = status
    ctx.body = body
  }
}

export const koaHarness: AdapterHarness = {
  name: 'koa',
  hookPoints: ['middleware', 'afterBody', 'routerMiddleware', 'routeMiddleware'],
  routing: { caseSensitive: false, strict: false, decode: false },
  seesRouterSettings: false,
  async start(options, probe, routerSettings = {}) {
    const app = new Koa()
    app.use(onError)
    app.use((ctx, next) => {
      ctx.state.reads = { before: getCurrentTenant() } satisfies Reads
      return next()
    })
    app.use(traciumTenant(options))
    app.use(onError)
    app.use((ctx, next) => {
      ctx.state.reads.middleware = getCurrentTenant()
      return next()
    })
    // peers.contract.ts: its routes bring their own koa-body, so they go before the app's.
    app.use(koaPeers(probe))
    const limit = 5 * 1024 * 1024
    app.use(
      koaBody({
        multipart: true,
        jsonLimit: limit,
        formLimit: limit,
        formidable: { maxFieldsSize: limit },
      }),
    )
    app.use((ctx, next) => {
      ctx.state.reads.afterBody = getCurrentTenant()
      return next()
    })

    const router = new Router({
      ...(routerSettings.caseSensitive !== undefined && {
        sensitive: routerSettings.caseSensitive,
      }),
      ...(routerSettings.strict !== undefined && { strict: routerSettings.strict }),
    })
    router.use(async (ctx, next) => {
      await immediate()
      ctx.state.reads.routerMiddleware = getCurrentTenant()
      return next()
    })
    const routeMiddleware: Middleware = async (ctx, next) => {
      await sleep(1)
      ctx.state.reads.routeMiddleware = getCurrentTenant()
      return next()
    }

    router.get('/tenant', routeMiddleware, async (ctx) => {
      ctx.body = {
        reads: { ...ctx.state.reads, ...(await handlerReads()) },
        requestTenant: ctx.state.tenant?.id ?? null,
      }
    })
    router.post('/body', routeMiddleware, async (ctx) => {
      const body = ctx.request.body as { note?: string } | undefined
      ctx.body = {
        reads: { ...ctx.state.reads, ...(await handlerReads()) },
        requestTenant: ctx.state.tenant?.id ?? null,
        body: { note: body?.note },
      }
    })
    router.post('/upload', async (ctx) => {
      // koa-body leaves application/octet-stream unread.
      ctx.body = await readUpload(ctx.req)
    })
    router.get('/sse', (ctx) => {
      const stream = new PassThrough()
      ctx.type = 'text/event-stream'
      ctx.set('cache-control', 'no-store')
      ctx.body = stream
      streamEvents(
        (chunk) => stream.writable && stream.write(chunk),
        () => stream.end(),
      )
    })
    router.get('/require-sync', (ctx) => {
      ctx.body = { tenant: requireTenant() }
    })
    router.get('/require-async', async (ctx) => {
      ctx.body = await requireAfterAwait()
    })
    router.get('/throw-sync', () => {
      throw new Error('boom')
    })
    router.get('/throw-async', async () => {
      await sleep(1)
      throw new Error('boom')
    })
    router.get('/leak', (ctx) => {
      leakTimer(probe)
      ctx.body = { ok: true }
    })
    router.get('/health', (ctx) => {
      ctx.body = { health: 'ok', tenant: getCurrentTenant() }
    })
    router.get('/t/:tenant/whoami', (ctx) => {
      ctx.body = { tenant: getCurrentTenant(), param: ctx.params.tenant }
    })
    router.get('/slow', () => {
      probe.slowStarted.push(getCurrentTenant())
      // Koa answers 404 when the chain settles without a body: never settle.
      return new Promise<never>(() => {})
    })
    router.get('/lifecycle/stream', (ctx) => {
      ctx.type = 'text/plain'
      ctx.body = tenantStream()
    })
    router.get('/lifecycle/generator', (ctx) => {
      ctx.type = 'text/plain'
      ctx.body = tenantGenerator()
    })
    router.get('/lifecycle/finish', (ctx) => {
      ctx.res.on('finish', () => probe.finish.push(getCurrentTenant()))
      ctx.body = { ok: true }
    })
    router.get('/lifecycle/hold', () => {
      holdRequest(probe.held)
      return new Promise<never>(() => {})
    })
    app.use(router.routes())
    app.use(router.allowedMethods())

    const server = app.listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    return {
      port: (server.address() as AddressInfo).port,
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections()
          server.close(() => resolve())
        }),
    }
  },
}
