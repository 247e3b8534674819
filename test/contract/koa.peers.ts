/** The `/peers/...` routes (peers-parts.ts) on Koa 3 with @koa/router and koa-body. */
import { Writable } from 'node:stream'
import { Router } from '@koa/router'
import { getCurrentTenant } from '@tracium/core'
import type { Middleware } from 'koa'
import { koaBody } from 'koa-body'
import type { Probe } from './harness.js'
import {
  abortRoute,
  barrierRoute,
  bodyRoute,
  failAfterAwait,
  failInStream,
  fileRoute,
  keepAliveRoute,
  middlewareSetRoute,
  nestedRoute,
  peersState,
  rejectFromCallback,
  setFromBody,
  tenantGenerator,
  tenantStream,
} from './peers-parts.js'

type Upload = { bytes: number; chunkTenants: Array<string | null> }

/**
 * Mounted after traciumTenant (and the error-handling middleware) but before the app's own
 * koa-body, which would otherwise parse `/peers/file` to disk first: each route here has its
 * own koa-body. Files are streamed into formidable's `fileWriteStreamHandler`, whose writes
 * record the tenant per chunk.
 */
export function koaPeers(probe: Probe) {
  const state = peersState(probe)
  const router = new Router({ prefix: '/peers' })
  const query = (value: unknown) => (typeof value === 'string' ? value : undefined)

  router.get('/barrier', async (ctx) => {
    ctx.body = { tenants: await barrierRoute(state, query(ctx.query.key)!, query(ctx.query.set)) }
  })
  router.post(
    '/middleware-set',
    koaBody(),
    (ctx, next) => {
      ctx.state.peersInMiddleware = setFromBody(ctx.request.body)
      return next()
    },
    async (ctx) => {
      const key = query(ctx.query.key)!
      ctx.body = { tenants: await middlewareSetRoute(state, key, ctx.state.peersInMiddleware) }
    },
  )

  const afterParse: Middleware = (ctx, next) => {
    ctx.state.peersAfterParse = getCurrentTenant()
    return next()
  }
  // koa-body parses JSON, urlencoded and text/plain; it has no raw-buffer parser.
  router.post('/body/:kind', koaBody({ text: true }), afterParse, async (ctx) => {
    ctx.body = await bodyRoute(ctx.request.body, ctx.state.peersAfterParse)
  })

  const uploads = new WeakMap<object, Upload>()
  const files = koaBody({
    multipart: true,
    formidable: {
      fileWriteStreamHandler: (file?: object) => {
        const upload: Upload = { bytes: 0, chunkTenants: [] }
        if (file) uploads.set(file, upload)
        const seen = new Set<string | null>()
        return new Writable({
          write(chunk: Buffer, _encoding, done) {
            upload.bytes += chunk.length
            seen.add(getCurrentTenant())
            upload.chunkTenants = [...seen]
            done()
          },
        })
      },
    },
  })
  router.post('/file', files, async (ctx) => {
    const field = ctx.request.files?.file
    const file = Array.isArray(field) ? field[0] : field
    const body = ctx.request.body as { note?: string } | undefined
    ctx.body = await fileRoute(body?.note, file && uploads.get(file))
  })

  router.get('/stream', (ctx) => {
    ctx.type = 'text/plain'
    ctx.body = tenantStream(state, query(ctx.query.key))
  })

  router.get('/generator', (ctx) => {
    ctx.type = 'text/plain'
    ctx.body = tenantGenerator()
  })

  router.get(
    '/error/middleware-await',
    async () => {
      await failAfterAwait()
    },
    (ctx) => {
      ctx.body = { unreachable: true }
    },
  )
  router.get('/error/callback-reject', () => rejectFromCallback())
  router.get('/error/stream', () => failInStream())

  router.get('/keepalive', async (ctx) => {
    ctx.body = { tenants: await keepAliveRoute(query(ctx.query.set)) }
  })
  router.get('/nested', async (ctx) => {
    ctx.body = { tenants: await nestedRoute() }
  })
  router.post('/abort', (ctx) => {
    abortRoute(state, ctx.req)
    // Koa answers 404 when the chain settles without a body: never settle.
    return new Promise<never>(() => {})
  })
  return router.routes()
}
