import http from 'node:http'
import { propagateTenant } from '@tracium/express'
import { Piscina } from 'piscina'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from './app.js'
import { createBilling } from './billing.js'

const servers = []
let app
let propagation
let pool

async function listen(server) {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  servers.push(server)
  return `http://127.0.0.1:${server.address().port}`
}

beforeAll(async () => {
  const billingUrl = await listen(http.createServer(createBilling()))
  const providerUrl = await listen(
    http.createServer((req, res) => {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ reply: 'Hello!', sawTenant: req.headers['x-tenant-id'] ?? null }))
    }),
  )
  propagation = propagateTenant({ origins: [billingUrl] })
  pool = new Piscina({
    filename: new URL('./report-worker.js', import.meta.url).href,
    minThreads: 2,
    maxThreads: 2,
  })
  app = await listen(http.createServer(createApp({ billingUrl, providerUrl, pool })))
})

afterAll(async () => {
  propagation.stop()
  await pool.destroy()
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))))
})

const get = async (path, tenant, method = 'GET') => {
  const res = await fetch(`${app}${path}`, { method, headers: { 'x-tenant-id': tenant } })
  return res.json()
}

describe('examples/propagation', () => {
  it('billing receives the tenant of each request, concurrently', async () => {
    const tenants = ['acme', 'globex', 'initech', 'umbrella']
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => get('/invoices', tenants[i % 4])),
    )
    results.forEach((result, i) => {
      expect(result.tenant).toBe(tenants[i % 4])
      expect(result.billing.tenant).toBe(tenants[i % 4])
    })
  })

  it('the third-party provider never sees the tenant', async () => {
    expect(await get('/chat', 'acme', 'POST')).toEqual({
      tenant: 'acme',
      answer: { reply: 'Hello!', sawTenant: null },
    })
  })

  it('pool tasks run under the tenant of the request that queued them', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => get(`/report?month=m${i}`, `tenant-${i % 5}`)),
    )
    results.forEach((result, i) => {
      expect(result.report).toEqual({ tenant: `tenant-${i % 5}`, month: `m${i}`, rows: 3 })
    })
  })
})
