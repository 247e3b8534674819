import { getCurrentTenant } from '@tracium/core'
import { fromJwt, traciumTenant } from '@tracium/koa'
import rTracer from 'cls-rtracer'
import Koa from 'koa'
import { floorStorage, JWT_SECRET, routeBody } from './shared.js'

const header = (ctx) => ctx.get('x-tenant-id') || undefined

export const variants = {
  bare: [() => {}, null],
  floor: [
    (app) => app.use((ctx, next) => floorStorage.run(header(ctx), next)),
    () => floorStorage.getStore(),
  ],
  'tracium-header': [(app) => app.use(traciumTenant()), getCurrentTenant],
  'tracium-jwt': [
    (app) => app.use(traciumTenant({ resolve: fromJwt({ secret: JWT_SECRET }) })),
    getCurrentTenant,
  ],
  'cls-rtracer': [
    (app) =>
      app.use(rTracer.koaMiddleware({ requestIdFactory: (req) => req.headers['x-tenant-id'] })),
    () => rTracer.id(),
  ],
}

export function createApp(variant) {
  const [install, read] = variants[variant]
  const app = new Koa()
  install(app)
  app.use(async (ctx) => {
    if (ctx.path !== '/bench') return
    ctx.body = await routeBody(read ?? (() => header(ctx)))
  })
  return {
    /** The request listener itself, for inproc.js. */
    handler: () => app.callback(),
    listen: (port) =>
      new Promise((resolve) => {
        const server = app.listen(port, '127.0.0.1', () => resolve(server))
      }),
  }
}
