import { readFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { type CryptoKey, exportJWK, importPKCS8, importSPKI, type JWTPayload, SignJWT } from 'jose'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  fromJwt,
  type JwtSourceOptions,
  problemDetails,
  type TenantError,
} from '../../src/index.js'
import { read, req, resolve } from './helpers.js'

const SECRET = 'a-test-secret-that-is-32-bytes!!'
const secretKey = new TextEncoder().encode(SECRET)
interface KeyPair {
  privateKey: CryptoKey
  publicKey: CryptoKey
}
let rsa: KeyPair
let otherRsa: KeyPair

// Fixed test-only RSA keys (fixtures/): generating two 2048-bit pairs per run took over the
// 10 s hook timeout on a loaded CI machine, and nothing here needs fresh keys.
const pem = (name: string) => readFileSync(new URL(`fixtures/${name}.pem`, import.meta.url), 'utf8')
const publicPem = pem('rsa-1.public')
async function keyPair(name: string): Promise<KeyPair> {
  return {
    privateKey: await importPKCS8(pem(`${name}.private`), 'RS256'),
    publicKey: await importSPKI(pem(`${name}.public`), 'RS256', { extractable: true }),
  }
}

beforeAll(async () => {
  rsa = await keyPair('rsa-1')
  otherRsa = await keyPair('rsa-2')
})

const now = () => Math.floor(Date.now() / 1000)

function hs256(payload: JWTPayload, key: Uint8Array = secretKey, header: object = {}) {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', ...header })
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(key)
}

function rs256(payload: JWTPayload, kid = 'key-1', key = rsa.privateKey) {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'RS256', kid })
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(key)
}

const b64 = (value: object | string) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')

const bearer = (token: string) => req({ headers: { authorization: `Bearer ${token}` } })

describe('fromJwt: verified claims', () => {
  const source = fromJwt({ secret: SECRET })

  it('reads tenant_id from a verified Bearer token, with its claims', async () => {
    const token = await hs256({ tenant_id: 'acme', sub: 'user-1' })
    const { tenant } = await resolve({ resolve: source }, bearer(token))
    expect(tenant).toMatchObject({ id: 'acme', source: 'jwt:tenant_id' })
    expect(tenant?.claims).toMatchObject({ sub: 'user-1', tenant_id: 'acme' })
  })

  it.each([
    ['a dotted path', 'org.id', { org: { id: 'org-7' } }, 'org-7'],
    [
      'a namespaced claim',
      'https://example.com/tenant_id',
      { 'https://example.com/tenant_id': 'ns' },
      'ns',
    ],
    ['a number', 'tenant_id', { tenant_id: 42 }, '42'],
    ['a missing claim', 'tenant_id', { sub: 'x' }, 'TENANT_INVALID'],
    ['an empty claim', 'tenant_id', { tenant_id: '' }, 'TENANT_INVALID'],
    ['an object claim', 'tenant_id', { tenant_id: { id: 1 } }, 'TENANT_INVALID'],
    ['an array claim', 'tenant_id', { tenant_id: ['a'] }, 'TENANT_INVALID'],
    ['a claim with a control character', 'tenant_id', { tenant_id: 'a\nb' }, 'TENANT_INVALID'],
  ])('claim as %s', async (_name, claim, payload, expected) => {
    expect(await read(fromJwt({ secret: SECRET, claim }), bearer(await hs256(payload)))).toBe(
      expected,
    )
  })

  it('token from another header or a cookie; other auth schemes are not ours', async () => {
    const token = await hs256({ tenant_id: 'acme' })
    expect(
      await read(
        fromJwt({ secret: SECRET, header: 'X-Auth' }),
        req({ headers: { 'x-auth': token } }),
      ),
    ).toBe('acme')
    expect(
      await read(
        fromJwt({ secret: SECRET, cookie: 'session' }),
        req({ headers: { cookie: `session=${token}` } }),
      ),
    ).toBe('acme')
    expect(await read(source, req({ headers: { authorization: 'Basic dXNlcjpwYXNz' } }))).toBeNull()
    expect(await read(source, req())).toBeNull()
    expect(await read(source, req({ headers: { authorization: 'Bearer ' } }))).toBe('TOKEN_INVALID')
  })

  it('issuer, audience and maxTokenAge are enforced when configured', async () => {
    const strict = fromJwt({
      secret: SECRET,
      issuer: 'https://auth.example.com',
      audience: 'api',
      maxTokenAge: 60,
    })
    const good = await hs256({ tenant_id: 'a', iss: 'https://auth.example.com', aud: 'api' })
    expect(await read(strict, bearer(good))).toBe('a')
    const old = await new SignJWT({ tenant_id: 'a', iss: 'https://auth.example.com', aud: 'api' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt(now() - 120)
      .setExpirationTime('5m')
      .sign(secretKey)
    expect(await read(strict, bearer(old))).toBe('TOKEN_INVALID')
  })
})

describe('R3: the JWT attack table — every case is TOKEN_INVALID and never falls through', () => {
  const cases: Array<[string, () => Promise<string>, JwtSourceOptions?]> = [
    [
      'alg: none',
      async () =>
        `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ tenant_id: 'evil', exp: now() + 60 })}.`,
    ],
    [
      'alg: none with a signature',
      async () => `${b64({ alg: 'none' })}.${b64({ tenant_id: 'evil' })}.c2ln`,
    ],
    [
      'HS256 signed with the RSA public key as secret (algorithm confusion)',
      async () => hs256({ tenant_id: 'evil' }, new TextEncoder().encode(publicPem)),
      {
        get publicKey() {
          return publicPem
        },
        algorithms: ['RS256'],
      },
    ],
    [
      'signed with another secret',
      async () => hs256({ tenant_id: 'evil' }, new TextEncoder().encode('x'.repeat(32))),
    ],
    [
      'expired',
      async () =>
        new SignJWT({ tenant_id: 'a' })
          .setProtectedHeader({ alg: 'HS256' })
          .setExpirationTime(now() - 10)
          .sign(secretKey),
    ],
    [
      'nbf in the future',
      async () =>
        new SignJWT({ tenant_id: 'a' })
          .setProtectedHeader({ alg: 'HS256' })
          .setNotBefore(now() + 600)
          .sign(secretKey),
    ],
    [
      'wrong issuer',
      async () => hs256({ tenant_id: 'a', iss: 'https://evil.example' }),
      { secret: SECRET, issuer: 'https://auth.example.com' },
    ],
    [
      'wrong audience',
      async () => hs256({ tenant_id: 'a', aud: 'other' }),
      { secret: SECRET, audience: 'api' },
    ],
    [
      'tampered payload',
      async () => {
        const [h, , s] = (await hs256({ tenant_id: 'acme' })).split('.')
        return `${h}.${b64({ tenant_id: 'evil', exp: now() + 60 })}.${s}`
      },
    ],
    ['truncated', async () => (await hs256({ tenant_id: 'a' })).slice(0, -10)],
    [
      'two segments only',
      async () => (await hs256({ tenant_id: 'a' })).split('.').slice(0, 2).join('.'),
    ],
    ['not base64 at all', async () => 'not.a.token!'],
    ['a Bearer credential with two parts', async () => 'part-one part-two'],
    ['a Bearer credential separated by a tab', async () => '\ttoken'],
    ['a 1 MiB token', async () => `${b64({ alg: 'HS256' })}.${'A'.repeat(1024 * 1024)}.sig`],
    [
      'HS384 where only HS256 is accepted',
      async () =>
        new SignJWT({ tenant_id: 'a' }).setProtectedHeader({ alg: 'HS384' }).sign(secretKey),
    ],
    [
      'a JWKS with an unknown kid',
      async () => rs256({ tenant_id: 'a' }, 'unknown-kid', otherRsa.privateKey),
      {
        get jwks() {
          return jwksOf('key-1')
        },
        algorithms: ['RS256'],
      },
    ],
  ]
  let localJwks: Awaited<ReturnType<typeof exportJWK>> & { kid?: string }
  beforeAll(async () => {
    localJwks = { ...(await exportJWK(rsa.publicKey)), kid: 'key-1', alg: 'RS256' }
  })
  function jwksOf(kid: string) {
    return { keys: [{ ...localJwks, kid }] }
  }

  it.each(cases)('%s', async (_name, makeToken, options) => {
    const token = await makeToken()
    const jwt = fromJwt({ ...(options ?? { secret: SECRET }) })
    // A header source after it would resolve 'fallback' if a bad token fell through.
    const request = req({
      headers: { authorization: `Bearer ${token}`, 'x-tenant-id': 'fallback' },
    })
    const { code, error } = await resolve(
      { resolve: [jwt, (r) => r.headers['x-tenant-id'] as string] },
      request,
    )
    expect(code).toBe('TOKEN_INVALID')
    expect((error as TenantError).status).toBe(401)
    const body = JSON.stringify(problemDetails(error as TenantError))
    expect(body).not.toContain(token.slice(0, 40))
    expect(body).not.toMatch(/at .*\.ts/)
  })

  it('RS256 with the right public key works (the attack table is not failing for another reason)', async () => {
    const token = await rs256({ tenant_id: 'acme' })
    expect(
      await read(fromJwt({ publicKey: publicPem, algorithms: ['RS256'] }), bearer(token)),
    ).toBe('acme')
    expect(
      await read(fromJwt({ jwks: jwksOf('key-1'), algorithms: ['RS256'] }), bearer(token)),
    ).toBe('acme')
  })
})

describe('fromJwt with a remote JWKS on 127.0.0.1', () => {
  let server: http.Server
  let url: string
  let fetches = 0
  let up = true
  beforeAll(async () => {
    const jwk = { ...(await exportJWK(rsa.publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' }
    server = http.createServer((_req, res) => {
      fetches++
      if (!up) return res.writeHead(503).end()
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ keys: [jwk] }))
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`
  })
  afterAll(() => new Promise((r) => server.close(r)))

  it('verifies against the fetched keys and caches the key set', async () => {
    const source = fromJwt({ jwksUri: url, algorithms: ['RS256'], cacheSize: 0 })
    fetches = 0
    expect(await read(source, bearer(await rs256({ tenant_id: 'acme' })))).toBe('acme')
    expect(await read(source, bearer(await rs256({ tenant_id: 'beta' })))).toBe('beta')
    expect(fetches).toBe(1)
    expect(
      await read(source, bearer(await rs256({ tenant_id: 'x' }, 'unknown', otherRsa.privateKey))),
    ).toBe('TOKEN_INVALID')
  })

  it('a JWKS server that is down is a server error, not a 401', async () => {
    up = false
    try {
      const source = fromJwt({ jwksUri: url, algorithms: ['RS256'] })
      const { code, error } = await resolve(
        { resolve: source },
        bearer(await rs256({ tenant_id: 'a' })),
      )
      expect(code).toBeUndefined()
      expect((error as Error).message).toMatch(/could not fetch the JWKS/)
    } finally {
      up = true
    }
  })
})

describe('fromJwt: the verified-token cache', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('a repeated token is answered synchronously from the cache, never past exp', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const source = fromJwt({ secret: SECRET })
    const token = await new SignJWT({ tenant_id: 'acme' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(now() + 10)
      .sign(secretKey)
    const request = bearer(token)
    // Await the miss itself: WebCrypto verifies on the thread pool, so a second, concurrent
    // miss could settle first and leave this one to check `exp` after the clock moves below.
    const miss = source.read(request)
    expect(miss).toBeInstanceOf(Promise)
    await miss
    const hit = source.read(request)
    expect(hit).not.toBeInstanceOf(Promise)
    expect(hit).toMatchObject({ tenantId: 'acme' })
    vi.setSystemTime(Date.now() + 11_000)
    const late = source.read(request)
    expect(late).toBeInstanceOf(Promise)
    await expect(late).rejects.toMatchObject({ code: 'TOKEN_INVALID', message: /expired/ })
  })

  it('a token read since it was cached outlives one that was not (second chance)', async () => {
    const source = fromJwt({ secret: SECRET, cacheSize: 2 })
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((t) => hs256({ tenant_id: t })))
    await source.read(bearer(a!))
    await source.read(bearer(b!))
    expect(source.read(bearer(a!))).toMatchObject({ tenantId: 'a' }) // a hit marks a
    await source.read(bearer(c!)) // full: b, never read since, goes
    expect(source.read(bearer(a!))).not.toBeInstanceOf(Promise)
    expect(source.read(bearer(c!))).not.toBeInstanceOf(Promise)
    const evicted = source.read(bearer(b!))
    expect(evicted).toBeInstanceOf(Promise)
    await evicted
  })

  it('is bounded: the least recently used token is evicted', async () => {
    const source = fromJwt({ secret: SECRET, cacheSize: 2 })
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((t) => hs256({ tenant_id: t })))
    for (const token of [a, b, c]) await source.read(bearer(token!))
    expect(source.read(bearer(c!))).not.toBeInstanceOf(Promise)
    expect(source.read(bearer(b!))).not.toBeInstanceOf(Promise)
    const evicted = source.read(bearer(a!))
    expect(evicted).toBeInstanceOf(Promise)
    await evicted
  })
})

describe('E3: fromJwt options are checked when created', () => {
  it.each([
    ['no key', {}, /exactly one of secret, publicKey, jwks or jwksUri/],
    ['two keys', { secret: SECRET, jwksUri: 'https://x' }, /exactly one/],
    ['a short secret', { secret: 'short' }, /at least 32 bytes/],
    ['alg none', { secret: SECRET, algorithms: ['none'] }, /"none" cannot be used/],
    [
      'RS256 with a secret',
      { secret: SECRET, algorithms: ['RS256'] },
      /cannot be used with secret/,
    ],
    [
      'a public key without algorithms',
      { jwksUri: 'https://x/jwks' },
      /list the accepted algorithms/,
    ],
    [
      'HS256 with a JWKS (confusion)',
      { jwksUri: 'https://x/jwks', algorithms: ['HS256'] },
      /cannot be used/,
    ],
    ['a bad PEM', { publicKey: 'nope', algorithms: ['RS256'] }, /not a PEM or JWK/],
    ['a bad URL', { jwksUri: 'not a url', algorithms: ['RS256'] }, /not a URL/],
  ])('%s', (_name, options, message) => {
    expect(() => fromJwt(options as JwtSourceOptions)).toThrow(message)
    expect(() => fromJwt(options as JwtSourceOptions)).toThrow(/^@tracium\/core: fromJwt/)
  })
})
