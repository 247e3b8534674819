// The Python docs' FastAPI example (set the tenant from X-Tenant-ID in a middleware, read it in
// /chat, reject a missing tenant), on Express 5. The middleware also clears the tenant when the
// response closes, which the Python version does by hand with set_tenant(None).
import { getCurrentTenant, traciumTenant } from '@tracium/express'
import express from 'express'

export function createApp() {
  const app = express()
  app.use(traciumTenant()) // the tenant comes from the X-Tenant-ID header
  app.use(express.json())

  // Traces and logs here are associated with the tenant.
  app.post('/chat', async (req, res) => {
    res.json({ response: 'Hello!', tenant: getCurrentTenant(), message: req.body?.message ?? null })
  })

  // A route that needs a tenant, like the docs' complete example.
  app.get('/usage', (_req, res) => {
    const tenant = getCurrentTenant()
    if (!tenant) return res.status(401).json({ detail: 'Tenant required' })
    res.json({ tenant, requests: 1 })
  })
  return app
}
