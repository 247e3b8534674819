/** The `/peers/...` routes (peers-parts.ts) on Express 5, as an app would write them. */
import { getCurrentTenant } from '@tracium/core'
import express, { type RequestHandler, Router } from 'express'
import multer from 'multer'
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
  type PeersStoredFile,
  peersState,
  peersStorage,
  rejectFromCallback,
  setFromBody,
  tenantGenerator,
  tenantStream,
} from './peers-parts.js'

/** Mounted with `app.use('/peers', …)` before the app's own body parsers: it has its own. */
export function expressPeers(probe: Probe): Router {
  const state = peersState(probe)
  const router = Router()
  const query = (value: unknown) => (typeof value === 'string' ? value : undefined)

  router.get('/barrier', async (req, res) => {
    res.json({ tenants: await barrierRoute(state, query(req.query.key)!, query(req.query.set)) })
  })
  router.post(
    '/middleware-set',
    express.json(),
    (req, res, next) => {
      res.locals.peersInMiddleware = setFromBody(req.body)
      next()
    },
    async (req, res) => {
      const key = query(req.query.key)!
      res.json({ tenants: await middlewareSetRoute(state, key, res.locals.peersInMiddleware) })
    },
  )

  const afterParse: RequestHandler = (_req, res, next) => {
    res.locals.peersAfterParse = getCurrentTenant()
    next()
  }
  const echo: RequestHandler = async (req, res) => {
    res.json(await bodyRoute(req.body, res.locals.peersAfterParse))
  }
  router.post('/body/json', express.json(), afterParse, echo)
  router.post('/body/urlencoded', express.urlencoded(), afterParse, echo)
  router.post('/body/text', express.text(), afterParse, echo)
  router.post('/body/raw', express.raw({ type: 'application/x-peers-raw' }), afterParse, echo)

  const upload = multer({ storage: peersStorage as unknown as multer.StorageEngine })
  router.post('/file', upload.single('file'), async (req, res) => {
    const file = req.file as (Express.Multer.File & PeersStoredFile) | undefined
    res.json(
      await fileRoute(
        req.body?.note,
        file && { bytes: file.size, chunkTenants: file.chunkTenants },
      ),
    )
  })

  router.get('/stream', (req, res) => {
    res.type('text/plain')
    tenantStream(state, query(req.query.key)).pipe(res)
  })

  router.get('/generator', (_req, res) => {
    res.type('text/plain')
    tenantGenerator().pipe(res)
  })

  router.get(
    '/error/middleware-await',
    async () => {
      await failAfterAwait()
    },
    (_req, res) => {
      res.json({ unreachable: true })
    },
  )
  router.get('/error/callback-reject', () => rejectFromCallback())
  router.get('/error/stream', () => failInStream())

  router.get('/keepalive', async (req, res) => {
    res.json({ tenants: await keepAliveRoute(query(req.query.set)) })
  })
  router.get('/nested', async (_req, res) => {
    res.json({ tenants: await nestedRoute() })
  })
  router.post('/abort', (req) => {
    abortRoute(state, req)
  })
  return router
}
