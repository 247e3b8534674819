// The Python docs' FastAPI example (set the tenant from X-Tenant-ID in a middleware, read it in
// /chat, reject a missing tenant), on Fastify 5. The plugin also clears the tenant when the
// response closes, which the Python version does by hand with set_tenant(None).
import { getCurrentTenant, traciumTenant } from '@tracium/fastify'
import Fastify from 'fastify'

export function createApp() {
  const app = Fastify()
  app.register(traciumTenant) // the tenant comes from the X-Tenant-ID header

  // Traces and logs here are associated with the tenant.
  app.post('/chat', async (request) => ({
    response: 'Hello!',
    tenant: getCurrentTenant(),
    message: request.body?.message ?? null,
  }))

  // A route that needs a tenant, like the docs' complete example.
  app.get('/usage', async (request, reply) => {
    const tenant = getCurrentTenant()
    if (!tenant) return reply.code(401).send({ detail: 'Tenant required' })
    return { tenant, requests: 1, source: request.tenant.source }
  })
  return app
}
