// The app: each request's tenant goes with its calls to billing (propagateTenant, set up in
// server.js or the test) and with its tasks to a worker pool (tenantTask). A call to any other
// origin, such as an LLM provider, carries no tenant.
import { getCurrentTenant, tenantTask, traciumTenant } from '@tracium/express'
import express from 'express'

/**
 * @param {{ billingUrl: string, providerUrl: string, pool: import('piscina').Piscina }} deps
 */
export function createApp({ billingUrl, providerUrl, pool }) {
  const app = express()
  app.use(traciumTenant())

  // fetch to billing: propagateTenant() adds x-tenant-id, because billing's origin is listed.
  app.get('/invoices', async (_req, res) => {
    const billing = await (await fetch(`${billingUrl}/invoices`)).json()
    res.json({ tenant: getCurrentTenant(), billing })
  })

  // fetch to a third party: its origin is not listed, so it never learns the tenant.
  app.post('/chat', async (_req, res) => {
    const answer = await (await fetch(`${providerUrl}/v1/chat`, { method: 'POST' })).json()
    res.json({ tenant: getCurrentTenant(), answer })
  })

  // A pool reuses threads across tenants: the task carries its tenant.
  app.get('/report', async (req, res) => {
    const report = await pool.run(tenantTask({ month: String(req.query.month ?? '2026-01') }))
    res.json({ tenant: getCurrentTenant(), report })
  })
  return app
}
