import type { AddressInfo } from 'node:net'
import { getCurrentTenant, requireTenant } from '@tracium/core'
import { traciumTenant } from '@tracium/express'
import express, { type ErrorRequestHandler } from 'express'
import multer from 'multer'
import {
  errorBody,
  handlerReads,
  leakTimer,
  passesOn,
  readUpload,
  requireAfterAwait,
  streamEvents,
} from './app-parts.js'
import { expressPeers } from './express.peers.js'
import type { AdapterHarness } from './harness.js'
import { holdRequest, tenantGenerator, tenantStream } from './lifecycle-parts.js'

type Reads = Record<string, string | null>

export const expressHarness: AdapterHarness = {
  name: 'express',
  hookPoints: ['middleware', 'afterBody', 'routeMiddleware'],
  routing: { caseSensitive: false, strict: false, decode: false },
  seesRouterSettings: true,
  async start(options, probe, router = {}) {
    const app = express()
    // Before the first app.use: the app's router reads these when it is created.
    if (router.caseSensitive !== undefined) app.set('case sensitive routing', router.caseSensitive)
    if (router.strict !== undefined) app.set('strict routing', router.strict)
    app.use((_req, res, next) => {
      res.locals.reads = { before: getCurrentTenant() } satisfies Reads
      next()
    })
    app.use(traciumTenant(options))
    app.use((_req, res, next) => {
      res.locals.reads.middleware = getCurrentTenant()
      next()
    })
    // peers.contract.ts: its routes bring their own parsers, so they go before the app's.
    app.use('/peers', expressPeers(probe))
    const limit = '5mb'
    app.use(
      express.json({ limit }),
      express.urlencoded({ limit }),
      multer({ limits: { fieldSize: 5 * 1024 * 1024 } }).none(),
    )
    app.use((_req, res, next) => {
      res.locals.reads.afterBody = getCurrentTenant()
      next()
    })
    const routeMiddleware: express.RequestHandler = (_req, res, next) => {
      setTimeout(() => {
        res.locals.reads.routeMiddleware = getCurrentTenant()
        next()
      }, 1)
    }

    app.get('/tenant', routeMiddleware, async (req, res) => {
      res.json({
        reads: { ...res.locals.reads, ...(await handlerReads()) },
        requestTenant: req.tenant?.id ?? null,
      })
    })
    app.post('/body', routeMiddleware, async (req, res) => {
      res.json({
        reads: { ...res.locals.reads, ...(await handlerReads()) },
        requestTenant: req.tenant?.id ?? null,
        body: { note: req.body?.note },
      })
    })
    app.post('/upload', async (req, res) => {
      res.json(await readUpload(req))
    })
    app.get('/sse', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' })
      streamEvents(
        (chunk) => res.write(chunk),
        () => res.end(),
      )
    })
    app.get('/require-sync', (_req, res) => {
      res.json({ tenant: requireTenant() })
    })
    app.get('/require-async', async (_req, res) => {
      res.json(await requireAfterAwait())
    })
    app.get('/throw-sync', () => {
      throw new Error('boom')
    })
    app.get('/throw-async', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1))
      throw new Error('boom')
    })
    app.get('/leak', (_req, res) => {
      leakTimer(probe)
      res.json({ ok: true })
    })
    app.get('/health', (_req, res) => {
      res.json({ health: 'ok', tenant: getCurrentTenant() })
    })
    app.get('/t/:tenant/whoami', (req, res) => {
      res.json({ tenant: getCurrentTenant(), param: req.params.tenant })
    })
    app.get('/slow', () => {
      probe.slowStarted.push(getCurrentTenant())
    })
    app.get('/lifecycle/stream', (_req, res) => {
      res.type('text/plain')
      tenantStream().pipe(res)
    })
    app.get('/lifecycle/generator', (_req, res) => {
      res.type('text/plain')
      tenantGenerator().pipe(res)
    })
    app.get('/lifecycle/finish', (_req, res) => {
      res.on('finish', () => probe.finish.push(getCurrentTenant()))
      res.json({ ok: true })
    })
    app.get('/lifecycle/hold', () => holdRequest(probe.held))
    const onError: ErrorRequestHandler = (error, req, res, next) => {
      if (passesOn(req.headers, error)) return next(error)
      const { status, body } = errorBody(error)
      res.status(status).json(body)
    }
    app.use(onError)

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
