/**
 * Issue 9, defect 3: a header Node keeps only the first of (Authorization, Host, From, …) is read
 * from the raw header list wherever a source promises one value.
 */
import { type JWTPayload, SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import {
  fromCookie,
  fromHeader,
  fromJwt,
  fromSubdomain,
  type TenantRequest,
} from '../../src/index.js'
import { read, req } from './helpers.js'

const SECRET = 'a-test-secret-that-is-32-bytes!!'
const secretKey = new TextEncoder().encode(SECRET)

function hs256(payload: JWTPayload) {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('5m')
    .sign(secretKey)
}

/** A request as Node parses `pairs`: `headers` keeps the first of the names it de-duplicates. */
function nodeRequest(pairs: Array<[string, string]>, keep: 'first' | 'join' = 'first') {
  const headers: Record<string, string> = {}
  for (const [name, value] of pairs) {
    const key = name.toLowerCase()
    if (headers[key] === undefined) headers[key] = value
    else if (keep === 'join') headers[key] += `, ${value}`
  }
  return req({ headers, rawHeaders: pairs.flat() })
}

describe('two Authorization headers are TOKEN_INVALID', () => {
  const source = fromJwt({ secret: SECRET })

  it('two Bearer tokens for two tenants', async () => {
    const [a, b] = await Promise.all([hs256({ tenant_id: 'a' }), hs256({ tenant_id: 'b' })])
    const request = nodeRequest([
      ['Authorization', `Bearer ${a}`],
      ['authorization', `Bearer ${b}`],
    ])
    expect(request.headers.authorization).toBe(`Bearer ${a}`) // what Node leaves in headers
    expect(await read(source, request)).toBe('TOKEN_INVALID')
  })

  it('a Basic credential first and a Bearer token second', async () => {
    const b = await hs256({ tenant_id: 'b' })
    const request = nodeRequest([
      ['Authorization', 'Basic dXNlcjpwYXNz'],
      ['AUTHORIZATION', `Bearer ${b}`],
    ])
    expect(await read(source, request)).toBe('TOKEN_INVALID')
  })

  it('one Authorization header among others resolves; the same token cached stays checked', async () => {
    const a = await hs256({ tenant_id: 'a' })
    const one = nodeRequest([
      ['Host', 'x'],
      ['Authorization', `Bearer ${a}`],
      ['Accept', '*/*'],
    ])
    expect(await read(source, one)).toBe('a')
    const two = nodeRequest([
      ['Authorization', `Bearer ${a}`],
      ['Authorization', `Bearer ${a}`],
    ])
    expect(await read(source, two)).toBe('TOKEN_INVALID') // a cache hit for `a` does not skip it
  })

  it('a server with joinDuplicateHeaders: the joined value is malformed', async () => {
    const [a, b] = await Promise.all([hs256({ tenant_id: 'a' }), hs256({ tenant_id: 'b' })])
    const request = req({ headers: { authorization: `Bearer ${a}, Bearer ${b}` } })
    expect(await read(source, request)).toBe('TOKEN_INVALID')
  })

  it('a token header Node joins with ", " (two X-Auth headers) is TOKEN_INVALID', async () => {
    const [a, b] = await Promise.all([hs256({ tenant_id: 'a' }), hs256({ tenant_id: 'b' })])
    const custom = fromJwt({ secret: SECRET, header: 'x-auth' })
    const request = nodeRequest(
      [
        ['X-Auth', a],
        ['X-Auth', b],
      ],
      'join',
    )
    expect(await read(custom, request)).toBe('TOKEN_INVALID')
  })

  it('the token cookie sent twice (two Cookie headers, joined by Node with "; ") is TOKEN_INVALID', async () => {
    const [a, b] = await Promise.all([hs256({ tenant_id: 'a' }), hs256({ tenant_id: 'b' })])
    const cookie = fromJwt({ secret: SECRET, cookie: 'session' })
    expect(await read(cookie, req({ headers: { cookie: `session=${a}; session=${b}` } }))).toBe(
      'TOKEN_INVALID',
    )
  })

  it('without rawHeaders (a custom integration) only what headers shows is checked', async () => {
    const a = await hs256({ tenant_id: 'a' })
    expect(await read(source, req({ headers: { authorization: `Bearer ${a}` } }))).toBe('a')
  })
})

describe('fromHeader: a header Node de-duplicates is read from the raw list', () => {
  it.each(['authorization', 'from', 'user-agent'])(
    'fromHeader(%j) sent twice is TENANT_INVALID',
    async (name) => {
      const request = nodeRequest([
        [name, 'acme'],
        [name, 'beta'],
      ])
      expect(request.headers[name]).toBe('acme')
      expect(await read(fromHeader(name), request)).toBe('TENANT_INVALID')
      expect(await read(fromHeader(name), nodeRequest([[name, 'acme']]))).toBe('acme')
    },
  )

  it('X-Tenant-ID sent twice is joined by Node and caught by the comma rule', async () => {
    const request = nodeRequest(
      [
        ['X-Tenant-ID', 'acme'],
        ['X-Tenant-ID', 'beta'],
      ],
      'join',
    )
    expect(await read(fromHeader(), request)).toBe('TENANT_INVALID')
  })

  it('the default header source never reads rawHeaders (no cost on the hot path)', async () => {
    let reads = 0
    const request: TenantRequest = {
      method: 'GET',
      url: '/',
      headers: { 'x-tenant-id': 'acme' },
      get rawHeaders() {
        reads++
        return ['X-Tenant-ID', 'acme']
      },
    }
    expect(await read(fromHeader(), request)).toBe('acme')
    expect(reads).toBe(0)
  })
})

describe('fromSubdomain: two Host headers are TENANT_INVALID', () => {
  const source = fromSubdomain({ baseDomain: 'app.example.com' })

  it('two Host headers naming two tenants', async () => {
    const request = nodeRequest([
      ['Host', 'acme.app.example.com'],
      ['host', 'beta.app.example.com'],
    ])
    expect(await read(source, request)).toBe('TENANT_INVALID')
    expect(await read(source, nodeRequest([['Host', 'acme.app.example.com']]))).toBe('acme')
  })

  it('trustProxy: X-Forwarded-Host is read as a list (first value); Host repeats do not matter then', async () => {
    const proxied = fromSubdomain({ baseDomain: 'app.example.com', trustProxy: true })
    const request = nodeRequest(
      [
        ['Host', 'internal'],
        ['Host', 'other'],
        ['X-Forwarded-Host', 'acme.app.example.com'],
        ['X-Forwarded-Host', 'proxy.local'],
      ],
      'first',
    )
    const withList = req({
      headers: { ...request.headers, 'x-forwarded-host': 'acme.app.example.com, proxy.local' },
      rawHeaders: request.rawHeaders!,
    })
    expect(await read(proxied, withList)).toBe('acme')
    // No X-Forwarded-Host: Host is read, and two of them are refused.
    const noForward = nodeRequest([
      ['Host', 'acme.app.example.com'],
      ['Host', 'beta.app.example.com'],
    ])
    expect(await read(proxied, noForward)).toBe('TENANT_INVALID')
  })
})

describe('fromCookie: Node joins two Cookie headers with "; ", so a repeat is already seen', () => {
  it('a tenant cookie in two Cookie headers is TENANT_INVALID', async () => {
    const request = req({
      headers: { cookie: 'tenant=acme; tenant=beta' },
      rawHeaders: ['Cookie', 'tenant=acme', 'Cookie', 'tenant=beta'],
    })
    expect(await read(fromCookie(), request)).toBe('TENANT_INVALID')
  })
})
