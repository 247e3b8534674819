// propagateTenant() and tenantHeaders() against real servers on 127.0.0.1 (several ports, and
// `localhost` for the same port, as different origins). The end-to-end run through an Express
// app with 1,000 requests is in test/propagation/outgoing-http.test.ts.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  propagateTenant,
  type TenantPropagation,
  TraciumOptionsError,
  tenantHeaders,
  withTenant,
} from '../src/index.js'

interface Seen {
  tenant: string | null
  baggage: string | null
}

// Which Node versions publish http.client.request.created: 22.12+ on 22.x, 23.2+.
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number)
const nodeHttpAutomatic =
  major > 23 || (major === 23 && minor >= 2) || (major === 22 && minor >= 12)

async function echoServer() {
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/redirect?to=')) {
      res.writeHead(302, { location: decodeURIComponent(req.url.slice('/redirect?to='.length)) })
      res.end()
      return
    }
    // Every value as sent: a header added twice shows as a list, and fails the comparison.
    const seen: Seen = {
      tenant: req.headersDistinct['x-tenant-id']?.join(' | ') ?? null,
      baggage: req.headersDistinct.baggage?.join(', ') ?? null,
    }
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify(seen))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, port: (server.address() as AddressInfo).port }
}

function get(url: string, headers?: http.OutgoingHttpHeaders): Promise<Seen> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
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

const fetched = async (url: string, init?: RequestInit): Promise<Seen> =>
  (await fetch(url, init)).json() as Promise<Seen>

const nothing: Seen = { tenant: null, baggage: null }

let allowed: string
let other: string
let sameServerOtherName: string
let servers: Array<http.Server> = []
let propagation: TenantPropagation | undefined

beforeAll(async () => {
  const a = await echoServer()
  const b = await echoServer()
  servers = [a.server, b.server]
  allowed = `http://127.0.0.1:${a.port}`
  other = `http://127.0.0.1:${b.port}`
  sameServerOtherName = `http://localhost:${a.port}` // same socket, another origin
})

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))))
})

afterEach(() => {
  propagation?.stop()
  propagation = undefined
})

describe('propagateTenant: options are checked at call time', () => {
  it.each([
    ['no options', undefined, /options must be an object/],
    ['no origins', {}, /"origins" must be a non-empty array/],
    ['empty origins', { origins: [] }, /"origins" must be a non-empty array/],
    ['a path', { origins: ['https://billing.internal/api'] }, /has a path, query or fragment/],
    ['a query', { origins: ['https://billing.internal?x'] }, /has a path, query or fragment/],
    ['a wildcard', { origins: ['https://*.internal'] }, /wildcard/],
    ['no scheme', { origins: ['billing.internal'] }, /not an absolute URL/],
    ['another scheme', { origins: ['ftp://billing.internal'] }, /only http: and https:/],
    ['credentials', { origins: ['https://u:p@billing.internal'] }, /credentials/],
    ['not a string', { origins: [42] }, /is not a string/],
    ['a bad header', { origins: ['https://a.internal'], header: 'x tenant' }, /"header" must be/],
    ['baggage as header', { origins: ['https://a.internal'], header: 'baggage' }, /cannot be/],
    [
      'nothing to send',
      { origins: ['https://a.internal'], header: false, baggage: false },
      /nothing would be sent/,
    ],
    ['an unknown option', { origins: ['https://a.internal'], origin: 'x' }, /unknown option/],
  ])('%s', (_name, options, message) => {
    let error: unknown
    try {
      propagateTenant(options as never)
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(TraciumOptionsError)
    expect((error as Error).message).toMatch(/^@tracium\/core: /)
    expect((error as Error).message).toMatch(message)
  })

  it('normalises origins: letter case, default ports, IDN', () => {
    propagation = propagateTenant({
      origins: ['HTTPS://Billing.Internal:443', 'http://127.0.0.1:80/', 'https://bücher.example'],
    })
    expect(propagation.origins).toEqual([
      'https://billing.internal',
      'http://127.0.0.1',
      'https://xn--bcher-kva.example',
    ])
    expect(propagation.automatic).toEqual({ fetch: true, http: nodeHttpAutomatic })
  })

  it('a second call while one is active throws; after stop() it works; stop() is idempotent', () => {
    propagation = propagateTenant({ origins: ['https://a.internal'] })
    expect(() => propagateTenant({ origins: ['https://b.internal'] })).toThrow(
      /already active.*List every origin in one call/,
    )
    propagation.stop()
    propagation.stop()
    propagation = propagateTenant({ origins: ['https://b.internal'] })
    expect(propagation.origins).toEqual(['https://b.internal'])
  })

  it('a stale handle of an earlier call does not stop the current one', async () => {
    const first = propagateTenant({ origins: [allowed] })
    first.stop()
    propagation = propagateTenant({ origins: [allowed] })
    first.stop()
    expect(await withTenant('acme', () => fetched(allowed))).toEqual({
      tenant: 'acme',
      baggage: null,
    })
  })
})

describe('propagateTenant with fetch', () => {
  it('sends the tenant to the allowlisted origin only, never to another port or host name', async () => {
    propagation = propagateTenant({ origins: [allowed] })
    await withTenant('acme', async () => {
      expect(await fetched(`${allowed}/x`)).toEqual({ tenant: 'acme', baggage: null })
      expect(await fetched(other)).toEqual(nothing)
      expect(await fetched(sameServerOtherName)).toEqual(nothing)
    })
  })

  it('no tenant, no header; after stop(), no header', async () => {
    propagation = propagateTenant({ origins: [allowed] })
    expect(await fetched(allowed)).toEqual(nothing)
    await withTenant(null, async () => expect(await fetched(allowed)).toEqual(nothing))
    propagation.stop()
    expect(await withTenant('acme', () => fetched(allowed))).toEqual(nothing)
  })

  it("leaves a header the caller set, in any letter case, and a caller's tenant.id baggage", async () => {
    propagation = propagateTenant({ origins: [allowed], baggage: true })
    await withTenant('acme', async () => {
      expect(await fetched(allowed, { headers: { 'X-Tenant-ID': 'other' } })).toEqual({
        tenant: 'other',
        baggage: 'tenant.id=acme',
      })
      expect(await fetched(allowed, { headers: { baggage: 'tenant.id=mine' } })).toEqual({
        tenant: 'acme',
        baggage: 'tenant.id=mine',
      })
    })
  })

  it('a redirect to another origin drops the header; a redirect into the allowlist adds it', async () => {
    propagation = propagateTenant({ origins: [allowed], baggage: true })
    await withTenant('acme', async () => {
      const away = `${allowed}/redirect?to=${encodeURIComponent(`${other}/landing`)}`
      expect(await fetched(away)).toEqual(nothing)
      const back = `${other}/redirect?to=${encodeURIComponent(`${allowed}/landing`)}`
      expect(await fetched(back)).toEqual({ tenant: 'acme', baggage: 'tenant.id=acme' })
    })
  })

  it('baggage: percent-encoded, appended after the caller’s members', async () => {
    propagation = propagateTenant({ origins: [allowed], header: false, baggage: true })
    await withTenant('org 1:é,x;y', async () => {
      const seen = await fetched(allowed, { headers: { baggage: 'userId=42' } })
      expect(seen.tenant).toBeNull()
      // undici cannot replace a header, so ours is a second line, which Node joins with ", ".
      expect(seen.baggage).toBe(`userId=42, tenant.id=${encodeURIComponent('org 1:é,x;y')}`)
      expect(decodeURIComponent(seen.baggage!.split('tenant.id=')[1]!)).toBe('org 1:é,x;y')
    })
  })

  it('baggage at the W3C limit (64 members) is not extended, and the header still goes', async () => {
    propagation = propagateTenant({ origins: [allowed], baggage: true })
    const full = Array.from({ length: 64 }, (_, i) => `k${i}=v`).join(',')
    const seen = await withTenant('acme', () => fetched(allowed, { headers: { baggage: full } }))
    expect(seen).toEqual({ tenant: 'acme', baggage: full })
  })

  it('a tenant id that is not printable ASCII is not put in the header (baggage carries it)', async () => {
    propagation = propagateTenant({ origins: [allowed], baggage: true })
    const seen = await withTenant('東京', () => fetched(allowed))
    expect(seen).toEqual({ tenant: null, baggage: `tenant.id=${encodeURIComponent('東京')}` })
  })
})

describe(`propagateTenant with node:http (Node ${process.versions.node}: automatic is ${nodeHttpAutomatic})`, () => {
  it('adds the tenant automatically where Node has http.client.request.created, else not', async () => {
    propagation = propagateTenant({ origins: [allowed], baggage: true })
    await withTenant('acme', async () => {
      const expected = nodeHttpAutomatic ? { tenant: 'acme', baggage: 'tenant.id=acme' } : nothing
      expect(await get(`${allowed}/x`)).toEqual(expected)
      expect(await get(other)).toEqual(nothing)
      expect(await get(sameServerOtherName)).toEqual(nothing)
      // A Host header naming another host: the port cannot be known, nothing is guessed.
      expect(await get(allowed, { host: 'billing.internal' })).toEqual(nothing)
    })
  })

  it('tenantHeaders() applies the same allowlist by hand, on every Node version', async () => {
    propagation = propagateTenant({ origins: [allowed], baggage: true })
    await withTenant('acme', async () => {
      expect(await get(allowed, tenantHeaders(allowed, { baggage: 'a=1' }))).toEqual({
        tenant: 'acme',
        baggage: 'a=1,tenant.id=acme',
      })
      expect(await get(other, tenantHeaders(other))).toEqual(nothing)
      expect(await get(sameServerOtherName, tenantHeaders(sameServerOtherName))).toEqual(nothing)
      expect(await get(allowed, tenantHeaders(allowed, { 'X-Tenant-Id': 'mine' }))).toEqual({
        tenant: 'mine',
        baggage: 'tenant.id=acme',
      })
    })
    expect(await get(allowed, tenantHeaders(allowed))).toEqual(nothing)
  })

  it('a redirect followed by hand to another origin carries nothing', async () => {
    propagation = propagateTenant({ origins: [allowed] })
    await withTenant('acme', async () => {
      const location = await new Promise<string>((resolve, reject) => {
        const url = `${allowed}/redirect?to=${encodeURIComponent(`${other}/landing`)}`
        http
          .get(url, { headers: tenantHeaders(url) }, (res) => {
            res.resume()
            resolve(res.headers.location!)
          })
          .on('error', reject)
      })
      expect(await get(location, tenantHeaders(location))).toEqual(nothing)
    })
  })
})

describe('tenantHeaders', () => {
  it('without propagateTenant adds nothing', () => {
    expect(withTenant('acme', () => tenantHeaders(allowed, { accept: 'x' }))).toEqual({
      accept: 'x',
    })
  })

  it('writes into a Headers object, and leaves relative URLs alone', () => {
    propagation = propagateTenant({ origins: ['https://billing.internal'], baggage: true })
    const headers = withTenant('acme', () =>
      tenantHeaders('https://BILLING.internal:443/v1', new Headers({ baggage: 'a=1' })),
    )
    expect(Object.fromEntries(headers)).toEqual({
      baggage: 'a=1,tenant.id=acme',
      'x-tenant-id': 'acme',
    })
    expect(withTenant('acme', () => tenantHeaders('/v1', {}))).toEqual({})
    expect(
      withTenant('acme', () => tenantHeaders('https://billing.internal.evil.io/', {})),
    ).toEqual({})
  })
})
