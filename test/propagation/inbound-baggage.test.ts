// Inbound: a tenant in W3C baggage is taken only from callers a trust rule accepts. One Express
// app listens twice: an internal listener (other services) and a public one (any client). The
// trust rule is a network check on the listener the request came through.
import http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import {
  fromBaggage,
  fromHeader,
  getCurrentTenant,
  type TenantRequest,
  traciumTenant,
} from '@tracium/express'
import express from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let internalUrl: string
let publicUrl: string
const servers: http.Server[] = []

async function listen(server: http.Server): Promise<{ url: string; port: number }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  servers.push(server)
  return { url: `http://127.0.0.1:${port}`, port }
}

beforeAll(async () => {
  const app = express()
  const internal = http.createServer(app)
  const { url, port } = await listen(internal)
  internalUrl = url
  publicUrl = (await listen(http.createServer(app))).url
  // Express, Nest and Koa (ctx.socket) and Fastify (request.socket) all expose `socket` on raw.
  const fromInternalListener = (request: TenantRequest) =>
    (request.raw as { socket: Socket }).socket.localPort === port
  app.use(
    traciumTenant({
      resolve: [fromBaggage({ trust: fromInternalListener }), fromHeader('x-public-tenant')],
    }),
  )
  app.get('/whoami', (req, res) =>
    res.json({ tenant: getCurrentTenant(), source: req.tenant?.source ?? null }),
  )
})

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))))
})

const whoami = async (base: string, headers: Record<string, string>) => {
  const res = await fetch(`${base}/whoami`, { headers })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

describe('fromBaggage behind a trust rule, through @tracium/express', () => {
  it('a trusted caller names the tenant in baggage', async () => {
    expect(await whoami(internalUrl, { baggage: 'userId=1,tenant.id=acme%3Aeu' })).toEqual({
      status: 200,
      body: { tenant: 'acme:eu', source: 'baggage:tenant.id' },
    })
  })

  it('any other client cannot: its baggage is ignored and the next source decides', async () => {
    expect(await whoami(publicUrl, { baggage: 'tenant.id=acme' })).toEqual({
      status: 200,
      body: { tenant: null, source: null },
    })
    expect(
      await whoami(publicUrl, { baggage: 'tenant.id=acme', 'x-public-tenant': 'globex' }),
    ).toEqual({ status: 200, body: { tenant: 'globex', source: 'header:x-public-tenant' } })
  })

  it('a trusted caller naming two tenants is a 400, not a guess', async () => {
    const res = await whoami(internalUrl, { baggage: 'tenant.id=a,tenant.id=b' })
    expect(res.status).toBe(400)
    expect(res.body.code).toBe('TENANT_INVALID')
  })
})
