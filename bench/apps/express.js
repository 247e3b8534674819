import http from 'node:http'
import { getCurrentTenant } from '@tracium/core'
import { fromJwt, traciumTenant } from '@tracium/express'
import rTracer from 'cls-rtracer'
import express from 'express'
import httpContext from 'express-http-context'
import { floorStorage, JWT_SECRET, routeBody } from './shared.js'

const header = (req) => req.headers['x-tenant-id']

/** variant → [install middleware, read the tenant in the route] */
export const variants = {
  bare: [() => {}, null],
  floor: [
    (app) => app.use((req, _res, next) => floorStorage.run(header(req), next)),
    () => floorStorage.getStore(),
  ],
  'tracium-header': [(app) => app.use(traciumTenant()), getCurrentTenant],
  'tracium-jwt': [
    (app) => app.use(traciumTenant({ resolve: fromJwt({ secret: JWT_SECRET }) })),
    getCurrentTenant,
  ],
  'express-http-context': [
    (app) => {
      app.use(httpContext.middleware)
      app.use((req, _res, next) => {
        httpContext.set('tenant', header(req))
        next()
      })
    },
    () => httpContext.get('tenant'),
  ],
  'cls-rtracer': [
    (app) => app.use(rTracer.expressMiddleware({ requestIdFactory: header })),
    () => rTracer.id(),
  ],
}

// The header middleware on the server of packages/express/README.md, "Faster requests on
// Express 5": requests and responses with the app's prototypes from the start.
variants['tracium-header-shared-classes'] = variants['tracium-header']

export function createApp(variant) {
  const [install, read] = variants[variant]
  const app = express()
  install(app)
  app.get('/bench', async (req, res) => {
    res.json(await routeBody(read ?? (() => header(req))))
  })
  const server =
    variant === 'tracium-header-shared-classes' ? sharedClassServer(app) : http.createServer(app)
  return {
    /** The request listener itself, for inproc.js. */
    handler: () => app,
    listen: (port) =>
      new Promise((resolve) => {
        server.listen(port, '127.0.0.1', () => resolve(server))
      }),
  }
}

/** The README's server (test/contract/express.shared-classes.test.ts checks it). */
function sharedClassServer(app) {
  function Request(socket) {
    http.IncomingMessage.call(this, socket)
  }
  Request.prototype = app.request
  function Response(req) {
    http.ServerResponse.call(this, req)
  }
  Response.prototype = app.response
  return http.createServer({ IncomingMessage: Request, ServerResponse: Response }, app)
}
