import http from 'node:http'
import { propagateTenant } from '@tracium/express'
import { Piscina } from 'piscina'
import { createApp } from './app.js'
import { createBilling } from './billing.js'

const port = Number(process.env.PORT ?? 3000)
const billingPort = Number(process.env.BILLING_PORT ?? 4001)
const billingUrl = `http://127.0.0.1:${billingPort}`

// Once, at start-up: the tenant goes to billing and to no other origin.
propagateTenant({ origins: [billingUrl] })

// Stands in for an LLM provider: it shows whether it ever got a tenant.
const provider = http.createServer((req, res) => {
  res.setHeader('content-type', 'application/json')
  res.end(JSON.stringify({ reply: 'Hello!', sawTenant: req.headers['x-tenant-id'] ?? null }))
})
provider.listen(0, '127.0.0.1', () => {
  const providerUrl = `http://127.0.0.1:${provider.address().port}`
  const pool = new Piscina({ filename: new URL('./report-worker.js', import.meta.url).href })
  createBilling().listen(billingPort, '127.0.0.1')
  createApp({ billingUrl, providerUrl, pool }).listen(port, '127.0.0.1', () => {
    console.log(`Propagation example on http://127.0.0.1:${port} (billing on ${billingUrl})`)
    console.log(`  curl -H 'x-tenant-id: acme' http://127.0.0.1:${port}/invoices`)
    console.log(`  curl -X POST -H 'x-tenant-id: acme' http://127.0.0.1:${port}/chat`)
    console.log(`  curl -H 'x-tenant-id: acme' 'http://127.0.0.1:${port}/report?month=2026-02'`)
  })
})
