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

export function createApp(variant) {
  const [install, read] = variants[variant]
  const app = express()
  install(app)
  app.get('/bench', async (req, res) => {
    res.json(await routeBody(read ?? (() => header(req))))
  })
  return {
    /** The request listener itself, for inproc.js. */
    handler: () => app,
    listen: (port) =>
      new Promise((resolve) => {
        const server = app.listen(port, '127.0.0.1', () => resolve(server))
      }),
  }
}
