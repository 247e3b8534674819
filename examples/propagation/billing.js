// A second service, "billing", that the app calls. It reads the tenant from X-Tenant-ID like
// any Tracium app. That is only safe because clients cannot reach it: in production it sits on
// a private network (or behind a gateway that strips the header from outside calls).
import { getCurrentTenant, traciumTenant } from '@tracium/express'
import express from 'express'

export function createBilling() {
  const billing = express()
  billing.use(traciumTenant({ required: true }))
  billing.get('/invoices', (_req, res) => {
    res.json({ tenant: getCurrentTenant(), invoices: [{ id: 'inv-1', amount: 42 }] })
  })
  return billing
}
