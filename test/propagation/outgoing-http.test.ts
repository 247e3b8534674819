// Outgoing HTTP end to end: a real Express app with @tracium/express whose handler calls other
// services with fetch and with node:http, under 1,000 interleaved requests over 50 tenants.
// Two origins on 127.0.0.1: the allowlisted port and another one. (The same port under another
// host name, another origin too, is covered in packages/core/test/outgoing-http.test.ts.)
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  propagateTenant,
  type TenantPropagation,
  tenantHeaders,
  traciumTenant,
} from '@tracium/express'
import express from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

interface Seen {
  tenant: string | null
  baggage: string | null
}

// Node publishes http.client.request.created from 22.12 (22.x) and 23.2 on. Computed here from
// the version, not from core, so the test says independently what each Node must do.
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number)
const nodeHttpAutomatic =
  major > 23 || (major === 23 && minor >= 2) || (major === 22 && minor >= 12)

const nothing: Seen = { tenant: null, baggage: null }

async function listen(server: http.Server): Promise<string> {
  // Longer than any pause of a loaded CI machine, so no idle keep-alive socket is closed just
  // as a client reuses it (a reset that would say nothing about tenants).
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** A downstream service: answers with the tenant header and baggage it received. */
function downstream(): http.Server {
  return http.createServer((req, res) => {
    if (req.url?.startsWith('/redirect?to=')) {
      res.writeHead(302, { location: decodeURIComponent(req.url.slice('/redirect?to='.length)) })
      res.end()
      return
    }
    // Every value as sent: a header added twice shows as a list, and fails the comparison.
    const headers = req.headersDistinct
    const seen: Seen = {
      tenant: headers['x-tenant-id']?.join(' | ') ?? null,
      baggage: headers.baggage?.join(', ') ?? null,
    }
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify(seen))
  })
}

const agent = new http.Agent({ keepAlive: true })

function httpGet(url: string, headers?: http.OutgoingHttpHeaders): Promise<Seen> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers, agent }, (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk) => {
          body += chunk
        })
        res.on('end', () => resolve(JSON.parse(body)))
      })
      .on('error', reject)
  })
}

const fetchJson = async (url: string): Promise<Seen> => (await fetch(url)).json() as Promise<Seen>

let allowed: string
let other: string
let app: string
const servers: http.Server[] = []
let propagation: TenantPropagation

beforeAll(async () => {
  const a = downstream()
  const b = downstream()
  allowed = await listen(a)
  other = await listen(b)

  const api = express()
  api.use(traciumTenant())
  api.get('/fan-out', async (_req, res) => {
    // In parallel: each call must still read this request's tenant, never a neighbour's.
    const [fetchAllowed, fetchOther, httpAllowed, httpOther, helperAllowed, helperOther] =
      await Promise.all([
        fetchJson(`${allowed}/invoices`),
        fetchJson(`${other}/track`),
        httpGet(`${allowed}/invoices`),
        httpGet(`${other}/track`),
        httpGet(`${allowed}/invoices`, tenantHeaders(`${allowed}/invoices`)),
        httpGet(`${other}/track`, tenantHeaders(`${other}/track`)),
      ])
    res.json({ fetchAllowed, fetchOther, httpAllowed, httpOther, helperAllowed, helperOther })
  })
  api.get('/redirects', async (_req, res) => {
    const away = `${allowed}/redirect?to=${encodeURIComponent(`${other}/landing`)}`
    const back = `${other}/redirect?to=${encodeURIComponent(`${allowed}/landing`)}`
    // node:http does not follow redirects: follow by hand, as a client library would.
    const location = await new Promise<string>((resolve, reject) => {
      http
        .get(away, { headers: tenantHeaders(away), agent }, (response) => {
          response.resume()
          resolve(response.headers.location!)
        })
        .on('error', reject)
    })
    res.json({
      fetchAway: await fetchJson(away),
      fetchBack: await fetchJson(back),
      httpAway: await httpGet(location, tenantHeaders(location)),
    })
  })
  api.use((err: Error, _req: express.Request, res: express.Response, _next: unknown) => {
    res.status(500).json({ error: String(err) })
  })
  const appServer = http.createServer(api)
  app = await listen(appServer)
  servers.push(a, b, appServer)
  propagation = propagateTenant({ origins: [allowed], baggage: true })
})

afterAll(async () => {
  propagation.stop()
  agent.destroy()
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))))
})

const sent = (tenant: string | null): Seen =>
  tenant === null ? nothing : { tenant, baggage: `tenant.id=${tenant}` }

function expected(tenant: string | null) {
  return {
    fetchAllowed: sent(tenant),
    fetchOther: nothing,
    httpAllowed: nodeHttpAutomatic ? sent(tenant) : nothing,
    httpOther: nothing,
    helperAllowed: sent(tenant),
    helperOther: nothing,
  }
}

async function call(tenant: string | null, path = '/fan-out'): Promise<unknown> {
  const res = await fetch(`${app}${path}`, {
    headers: tenant === null ? {} : { 'x-tenant-id': tenant },
  })
  const body = await res.json()
  expect({ status: res.status, body }).toMatchObject({ status: 200 })
  return body
}

/** Runs `count` calls over 50 tenants, `inFlight` at a time; returns the mismatches. */
async function interleaved(
  count: number,
  inFlight: number,
  check: (tenant: string, got: unknown) => void,
  path?: string,
) {
  const tenants = Array.from({ length: 50 }, (_, i) => `tenant-${i}`)
  const mismatches: Array<{ i: number; tenant: string; got: unknown }> = []
  let next = 0
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) {
        const i = next++
        // Each tenant's requests spread over the whole run, never two in a row.
        const tenant = tenants[(i * 7) % tenants.length]!
        const got = await call(tenant, path)
        try {
          check(tenant, got)
        } catch {
          mismatches.push({ i, tenant, got })
        }
      }
    }),
  )
  return mismatches
}

describe(`outgoing HTTP through @tracium/express (Node ${process.versions.node}, node:http automatic: ${nodeHttpAutomatic})`, () => {
  // Generous timeouts: 6,000 outgoing calls on a loaded two-core CI machine.
  it('1,000 interleaved requests over 50 tenants: the allowlisted origin gets the right tenant every time, others nothing', async () => {
    const mismatches = await interleaved(1000, 50, (tenant, got) =>
      expect(got).toEqual(expected(tenant)),
    )
    expect(mismatches.slice(0, 3)).toEqual([])
    expect(mismatches.length).toBe(0)
  }, 180_000)

  it('redirects: to another origin the header is dropped, into the allowlist it is added, per hop', async () => {
    const mismatches = await interleaved(
      200,
      25,
      (tenant, got) =>
        expect(got).toEqual({ fetchAway: nothing, fetchBack: sent(tenant), httpAway: nothing }),
      '/redirects',
    )
    expect(mismatches.slice(0, 3)).toEqual([])
  }, 120_000)

  it('a request without a tenant sends no header and no baggage anywhere', async () => {
    expect(await call(null)).toEqual(expected(null))
    expect(await call(null, '/redirects')).toEqual({
      fetchAway: nothing,
      fetchBack: nothing,
      httpAway: nothing,
    })
  })
})
