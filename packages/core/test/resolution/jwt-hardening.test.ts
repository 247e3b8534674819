/**
 * Issue 9, defects 1, 2 and 4: a linear-time Authorization parser, numeric claims read without
 * rounding, and verified claims no request can change for another.
 */
import { performance } from 'node:perf_hooks'
import { CompactSign, type JWTPayload, SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { type ClaimedTenant, fromJwt, TenantError, type TenantRequest } from '../../src/index.js'
import { read, req, resolve } from './helpers.js'

const SECRET = 'a-test-secret-that-is-32-bytes!!'
const secretKey = new TextEncoder().encode(SECRET)
const now = () => Math.floor(Date.now() / 1000)

function hs256(payload: JWTPayload) {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('5m')
    .sign(secretKey)
}

/** A token whose payload is exactly `json`: JSON.stringify would already round big numbers. */
function hs256Raw(json: string) {
  return new CompactSign(new TextEncoder().encode(json))
    .setProtectedHeader({ alg: 'HS256' })
    .sign(secretKey)
}

const bearer = (value: string) => req({ headers: { authorization: value } })

/** The code a synchronous read throws; the parse errors under test are all synchronous. */
function codeOf(source: ReturnType<typeof fromJwt>, request: TenantRequest): string {
  try {
    const value = source.read(request)
    return value instanceof Promise ? 'async' : String(value)
  } catch (error) {
    return error instanceof TenantError ? error.code : String(error)
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

describe('defect 1: the Authorization header is parsed in linear time', () => {
  const SIZE = 16 * 1024
  // `Bearer`, a long run of spaces, two short words: quadratic for /^bearer +(\S*) *$/i.
  const hostile = `Bearer${' '.repeat(SIZE - 'Bearer'.length - 4)} a b`
  // The same length and the same outcome (a credential of two parts), with no run to backtrack.
  const benign = `Bearer ${'x'.repeat(SIZE - 'Bearer '.length - 4)} a b`

  it('a 16 KiB hostile header costs no more than a benign one of the same size', () => {
    expect(hostile.length).toBe(SIZE)
    expect(benign.length).toBe(SIZE)
    const source = fromJwt({ secret: SECRET })
    const hostileRequest = bearer(hostile)
    const benignRequest = bearer(benign)
    expect(codeOf(source, hostileRequest)).toBe('TOKEN_INVALID')
    expect(codeOf(source, benignRequest)).toBe('TOKEN_INVALID')
    // Side by side, interleaved: rounds of three calls of each, a round's cost its fastest call
    // (a busy machine only ever adds time), the verdict the median round. Before the fix one
    // hostile call took 150–400 ms, a benign one microseconds.
    const ratios: number[] = []
    for (let round = 0; round < 7; round++) {
      const hostileTimes: number[] = []
      const benignTimes: number[] = []
      for (let i = 0; i < 3; i++) {
        let start = performance.now()
        codeOf(source, benignRequest)
        benignTimes.push(performance.now() - start)
        start = performance.now()
        codeOf(source, hostileRequest)
        hostileTimes.push(performance.now() - start)
      }
      ratios.push(Math.min(...hostileTimes) / Math.min(...benignTimes))
    }
    expect(median(ratios)).toBeLessThan(5)
  })

  it.each([
    ['Bearer <token>', 'Bearer TOKEN', 'acme'],
    ['a lower-case scheme', 'bearer TOKEN', 'acme'],
    ['an upper-case scheme', 'BEARER TOKEN', 'acme'],
    ['several spaces around the token', 'Bearer    TOKEN   ', 'acme'],
    ['the scheme alone', 'Bearer', 'TOKEN_INVALID'],
    ['the scheme and spaces', 'Bearer   ', 'TOKEN_INVALID'],
    ['a tab after the scheme', 'Bearer\tTOKEN', 'TOKEN_INVALID'],
    ['a tab inside the rest', 'Bearer TOKEN\tx', 'TOKEN_INVALID'],
    ['two words', 'Bearer TOKEN other', 'TOKEN_INVALID'],
    ['a non-breaking space in the token', 'Bearer TOK\u00a0EN', 'TOKEN_INVALID'],
    ['the scheme glued to a separator', 'Bearer/TOKEN', 'TOKEN_INVALID'],
    ['another scheme that starts like ours', 'Bearerx TOKEN', null],
    ['Basic', 'Basic dXNlcjpwYXNz', null],
    ['a short other scheme', 'Bea', null],
  ])('%s: %j → %s', async (_name, header, expected) => {
    const token = await hs256({ tenant_id: 'acme' })
    const source = fromJwt({ secret: SECRET })
    expect(await read(source, bearer(header.replace('TOKEN', token)))).toBe(expected)
  })
})

describe('defect 2: a numeric claim is never rounded', () => {
  it.each([
    ['2^53 + 1', '9007199254740993', 'TENANT_INVALID'],
    ['2^53', '9007199254740992', 'TENANT_INVALID'],
    ['the largest safe integer', '9007199254740991', '9007199254740991'],
    ['a small integer', '42', '42'],
    ['a negative integer', '-7', '-7'],
    ['zero', '0', '0'],
    ['a fraction', '1.5', 'TENANT_INVALID'],
    ['an exponent beyond 2^53', '1e21', 'TENANT_INVALID'],
  ])('tenant_id: %s (%s) → %s', async (_name, literal, expected) => {
    const token = await hs256Raw(`{"tenant_id":${literal},"exp":${now() + 300}}`)
    const { tenant, code, error } = await resolve(
      { resolve: fromJwt({ secret: SECRET }) },
      bearer(`Bearer ${token}`),
    )
    expect(code ?? tenant?.id).toBe(expected)
    if (code !== undefined) {
      expect((error as Error).message).toMatch(/safe integer.*send the id as a string/)
    }
  })

  it('two tokens whose ids differ only past 2^53 never resolve to one tenant', async () => {
    const source = fromJwt({ secret: SECRET })
    const a = await hs256Raw(`{"tenant_id":9007199254740993,"exp":${now() + 300}}`)
    const b = await hs256Raw(`{"tenant_id":9007199254740992,"exp":${now() + 300}}`)
    expect(await read(source, bearer(`Bearer ${a}`))).toBe('TENANT_INVALID')
    expect(await read(source, bearer(`Bearer ${b}`))).toBe('TENANT_INVALID')
  })
})

describe('defect 4: verified claims are deeply frozen, once', () => {
  const payload = { tenant_id: 'acme', roles: ['user'], org: { id: 'o1', teams: [{ n: 1 }] } }

  it('mutating req.tenant.claims throws and is invisible to the next request and authorize', async () => {
    const token = await hs256(payload)
    const seen: unknown[] = []
    const options = {
      resolve: fromJwt({ secret: SECRET }),
      authorize: (_id: string, _r: TenantRequest, { claims }: { claims?: JWTPayload }) => {
        seen.push(structuredClone(claims?.roles))
        return true
      },
    }
    const first = await resolve(options, bearer(`Bearer ${token}`))
    const claims = first.tenant!.claims as typeof payload & JWTPayload
    // Test files are ES modules: strict mode, so writes to frozen objects throw.
    expect(() => claims.roles.push('admin')).toThrow(TypeError)
    expect(() => {
      claims.org.id = 'other'
    }).toThrow(TypeError)
    expect(() => {
      claims.org.teams[0]!.n = 2
    }).toThrow(TypeError)
    expect(() => {
      ;(claims as Record<string, unknown>).tenant_id = 'evil'
    }).toThrow(TypeError)

    const second = await resolve(options, bearer(`Bearer ${token}`))
    expect(second.tenant!.claims).toMatchObject(payload)
    expect(seen).toEqual([['user'], ['user']])
  })

  it('the cache hands out the frozen claims themselves: no copy per request', async () => {
    const source = fromJwt({ secret: SECRET })
    const request = bearer(`Bearer ${await hs256(payload)}`)
    const miss = await source.read(request)
    const hit = source.read(request)
    expect(hit).not.toBeInstanceOf(Promise)
    const claims = (hit as ClaimedTenant).claims as unknown as typeof payload
    expect(claims).toBe((miss as ClaimedTenant).claims)
    for (const part of [claims, claims.roles, claims.org, claims.org.teams, claims.org.teams[0]]) {
      expect(Object.isFrozen(part)).toBe(true)
    }
  })
})
