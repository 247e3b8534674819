import { fastifyRequestContext, requestContext } from '@fastify/request-context'
import { getCurrentTenant } from '@tracium/core'
import { fromJwt, traciumTenant } from '@tracium/fastify'
import rTracer from 'cls-rtracer'
import Fastify from 'fastify'
import { floorStorage, JWT_SECRET, routeBody } from './shared.js'

const header = (request) => request.headers['x-tenant-id']

export const variants = {
  bare: [async () => {}, null],
  floor: [
    async (app) =>
      app.addHook('onRequest', (request, _reply, done) => floorStorage.run(header(request), done)),
    () => floorStorage.getStore(),
  ],
  'tracium-header': [(app) => app.register(traciumTenant), getCurrentTenant],
  'tracium-jwt': [
    (app) => app.register(traciumTenant, { resolve: fromJwt({ secret: JWT_SECRET }) }),
    getCurrentTenant,
  ],
  'fastify-request-context': [
    async (app) => {
      await app.register(fastifyRequestContext)
      app.addHook('onRequest', (request, _reply, done) => {
        request.requestContext.set('tenant', header(request))
        done()
      })
    },
    () => requestContext.get('tenant'),
  ],
  'cls-rtracer': [
    (app) =>
      app.register(rTracer.fastifyPlugin, {
        requestIdFactory: (req) => req.headers['x-tenant-id'],
      }),
    () => rTracer.id(),
  ],
}

export function createApp(variant) {
  const [install, read] = variants[variant]
  const app = Fastify()
  const ready = async () => {
    await install(app)
    app.get('/bench', (request) => routeBody(read ?? (() => header(request))))
  }
  return {
    /** The request listener Fastify put on its server, for inproc.js. */
    async handler() {
      await ready()
      await app.ready()
      return (req, res) => app.server.emit('request', req, res)
    },
    async listen(port) {
      await ready()
      await app.listen({ port, host: '127.0.0.1' })
      return app.server
    },
  }
}
