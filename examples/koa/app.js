// The Python docs' Flask example (set the tenant from X-Tenant-ID before each request, clear it
// after, read it in /chat), on Koa 3, plus a route that rejects a missing tenant like the docs'
// complete example. traciumTenant() does Flask's before_request and teardown_request in one:
// the tenant is set for the rest of the chain and cleared when the response closes.
import { Router } from '@koa/router'
import { getCurrentTenant, traciumTenant } from '@tracium/koa'
import Koa from 'koa'
import { koaBody } from 'koa-body'

export function createApp() {
  const app = new Koa()

  // Koa's usual error middleware: answers thrown HTTP errors as JSON, like FastAPI's
  // HTTPException. Mounted before traciumTenant, it reads the tenant from ctx.state, not from
  // getCurrentTenant(): only middleware after traciumTenant runs in the request's scope.
  app.use(async (ctx, next) => {
    try {
      await next()
    } catch (err) {
      ctx.status = err.status ?? 500
      ctx.body = { detail: err.expose ? err.message : 'Internal Server Error' }
      if (ctx.status >= 500) ctx.app.emit('error', err, ctx)
    }
  })
  app.use(traciumTenant()) // the tenant comes from the X-Tenant-ID header
  app.use(koaBody())

  const router = new Router()

  // Traces and logs here are associated with the tenant.
  router.post('/chat', (ctx) => {
    ctx.body = {
      response: 'Hello!',
      tenant: getCurrentTenant(),
      // Flask's g.tenant_id:
      sameAs: ctx.state.tenant?.id ?? null,
      message: ctx.request.body?.message ?? null,
    }
  })

  // A route that needs a tenant, like the docs' complete example.
  router.get('/usage', (ctx) => {
    const tenant = getCurrentTenant()
    if (!tenant) ctx.throw(401, 'Tenant required')
    ctx.body = { tenant, requests: 1 }
  })

  app.use(router.routes())
  app.use(router.allowedMethods())
  return app
}
