/**
 * Issue 9, defects 1–4, against every adapter: duplicate headers written byte for byte over raw
 * sockets (Node's http client will not send two Authorization or Host headers), a numeric claim
 * past 2^53, a hostile Bearer header timed against a benign one, and verified claims that one
 * request cannot change for the next.
 */
import { performance } from 'node:perf_hooks'
import {
  fromCookie,
  fromJwt,
  fromSubdomain,
  type JWTPayload,
  type TraciumTenantOptions,
} from '@tracium/core'
import { CompactSign, SignJWT } from 'jose'
import { afterEach, describe, expect, it } from 'vitest'
import { expectProblem, rawRequest } from './client.js'
import { type AdapterHarness, type ContractServer, Probe } from './harness.js'

const JWT_SECRET = 'contract-suite-secret-of-32-bytes!'
const secretKey = new TextEncoder().encode(JWT_SECRET)

function token(payload: JWTPayload): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('5m')
    .sign(secretKey)
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

export function describeHostileInputContract(harness: AdapterHarness): void {
  describe(`hostile input (issue 9): ${harness.name}`, () => {
    let server: ContractServer | undefined
    afterEach(async () => {
      await server?.close()
      server = undefined
    })
    async function start(options: TraciumTenantOptions) {
      server = await harness.start(options, new Probe())
      return server.port
    }

    it('two Authorization headers with tokens for two tenants: 401 TOKEN_INVALID', async () => {
      const port = await start({ resolve: fromJwt({ secret: JWT_SECRET }) })
      const [a, b] = await Promise.all([token({ tenant_id: 'a' }), token({ tenant_id: 'b' })])
      const one = await rawRequest(port, ['Host: 127.0.0.1', `Authorization: Bearer ${a}`])
      expect(JSON.parse(one.body).reads.handler).toBe('a')
      const two = await rawRequest(port, [
        'Host: 127.0.0.1',
        `Authorization: Bearer ${a}`,
        `Authorization: Bearer ${b}`,
      ])
      expectProblem(two, 401, 'TOKEN_INVALID')
      expect(two.body).not.toContain(b.split('.')[2]!)
    })

    it('two Host headers with fromSubdomain: 400 TENANT_INVALID', async () => {
      const port = await start({ resolve: fromSubdomain({ baseDomain: 'app.example.com' }) })
      const one = await rawRequest(port, ['Host: acme.app.example.com'])
      expect(JSON.parse(one.body).reads.handler).toBe('acme')
      const two = await rawRequest(port, [
        'Host: acme.app.example.com',
        'Host: beta.app.example.com',
      ])
      expectProblem(two, 400, 'TENANT_INVALID')
    })

    it('two X-Tenant-ID headers: 400 TENANT_INVALID', async () => {
      const port = await start({})
      const two = await rawRequest(port, ['Host: 127.0.0.1', 'X-Tenant-ID: a', 'x-tenant-id: b'])
      expectProblem(two, 400, 'TENANT_INVALID')
    })

    it('a tenant cookie in two Cookie headers: 400 TENANT_INVALID', async () => {
      const port = await start({ resolve: fromCookie('tenant') })
      const one = await rawRequest(port, ['Host: 127.0.0.1', 'Cookie: tenant=a'])
      expect(JSON.parse(one.body).reads.handler).toBe('a')
      const two = await rawRequest(port, [
        'Host: 127.0.0.1',
        'Cookie: tenant=a',
        'Cookie: tenant=b',
      ])
      expectProblem(two, 400, 'TENANT_INVALID')
    })

    it('a numeric tenant claim of 2^53 + 1 is 400 TENANT_INVALID, never rounded', async () => {
      const port = await start({ resolve: fromJwt({ secret: JWT_SECRET }) })
      const exp = Math.floor(Date.now() / 1000) + 300
      // Written as JSON text: JSON.stringify would round the number before signing.
      const big = await new CompactSign(
        new TextEncoder().encode(`{"tenant_id":9007199254740993,"exp":${exp}}`),
      )
        .setProtectedHeader({ alg: 'HS256' })
        .sign(secretKey)
      const reply = await rawRequest(port, ['Host: 127.0.0.1', `Authorization: Bearer ${big}`])
      expectProblem(reply, 400, 'TENANT_INVALID')
    })

    it('a hostile Bearer header is answered about as fast as a benign one of the same size', async () => {
      const port = await start({ resolve: fromJwt({ secret: JWT_SECRET }) })
      // Node refuses request heads above 16 KiB (431), so 15,000 characters, as in the report.
      const size = 15_000
      const hostile = `Authorization: Bearer${' '.repeat(size - 'Bearer'.length - 4)} a b`
      const benign = `Authorization: Bearer ${'x'.repeat(size - 'Bearer '.length - 4)} a b`
      expect(hostile.length).toBe(benign.length)
      const timed = async (line: string) => {
        const started = performance.now()
        const reply = await rawRequest(port, ['Host: 127.0.0.1', line])
        const took = performance.now() - started
        expectProblem(reply, 401, 'TOKEN_INVALID')
        return took
      }
      await timed(benign) // warm up both paths once
      await timed(hostile)
      // Rounds of three requests of each, interleaved; a round's cost is its fastest request
      // (a busy machine only ever adds time), and the verdict is the median round.
      const ratios: number[] = []
      for (let round = 0; round < 5; round++) {
        const hostileTimes: number[] = []
        const benignTimes: number[] = []
        for (let i = 0; i < 3; i++) {
          benignTimes.push(await timed(benign))
          hostileTimes.push(await timed(hostile))
        }
        ratios.push(Math.min(...hostileTimes) / Math.min(...benignTimes))
      }
      expect(median(ratios)).toBeLessThan(5)
    })

    it('verified claims are frozen: a mutation throws and the next request with the token never sees it', async () => {
      const seen: unknown[] = []
      const mutations: string[] = []
      const port = await start({
        resolve: fromJwt({ secret: JWT_SECRET }),
        authorize: (_id, _request, { claims }) => {
          const roles = claims?.roles
          if (!Array.isArray(roles)) return false
          seen.push([...roles])
          try {
            roles.push('admin')
            mutations.push('allowed')
          } catch (error) {
            mutations.push((error as Error).name)
          }
          return true
        },
      })
      const shared = await token({ tenant_id: 'acme', roles: ['user'] })
      for (let i = 0; i < 2; i++) {
        const reply = await rawRequest(port, ['Host: 127.0.0.1', `Authorization: Bearer ${shared}`])
        expect(JSON.parse(reply.body).reads.handler).toBe('acme')
      }
      expect(mutations).toEqual(['TypeError', 'TypeError'])
      expect(seen).toEqual([['user'], ['user']])
    })
  })
}
