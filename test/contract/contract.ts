/**
 * The adapter contract suite: one suite, instantiated per adapter (`*.test.ts` in this folder).
 * Numbers refer to the list in issue 4; rules (S, R, E) to DESIGN.md.
 */
import diagnostics from 'node:diagnostics_channel'
import http from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  fromHeader,
  fromJwt,
  fromQuery,
  fromSubdomain,
  type ScopeCloseMessage,
  TENANT_CHANNELS,
  type TraciumTenantOptions,
} from '@tracium/core'
import { SignJWT } from 'jose'
import { afterEach, describe, expect, it } from 'vitest'
import { bodies, pool, readEvents, send } from './client.js'
import { type AdapterHarness, type ContractServer, Probe } from './harness.js'

const JWT_SECRET = 'contract-suite-secret-of-32-bytes!'

export function describeContract(harness: AdapterHarness): void {
  describe(`contract: ${harness.name}`, () => {
    let server: ContractServer | undefined
    let probe: Probe
    afterEach(async () => {
      await server?.close()
      server = undefined
    })
    async function start(options: TraciumTenantOptions = {}) {
      probe = new Probe()
      server = await harness.start(options, probe)
      return server.port
    }
    const everyRead = (reads: Record<string, string | null>) =>
      Object.entries(reads).filter(([point]) => point !== 'before')

    describe('1. the Python docs behaviour', () => {
      it('X-Tenant-ID: tenant-123 is read in handlers, services, nested async code and hooks', async () => {
        const port = await start()
        const res = await send(port, { path: '/tenant', headers: { 'x-tenant-id': 'tenant-123' } })
        expect(res.status).toBe(200)
        const { reads, requestTenant } = res.json()
        expect(Object.keys(reads)).toEqual(
          expect.arrayContaining(['before', 'handler', 'nested', 'service', ...harness.hookPoints]),
        )
        for (const [point, value] of everyRead(reads))
          expect([point, value]).toEqual([point, 'tenant-123'])
        expect(reads.before).toBeNull()
        expect(requestTenant).toBe('tenant-123')
      })

      it('no header: null everywhere', async () => {
        const port = await start()
        const { reads, requestTenant } = (await send(port, { path: '/tenant' })).json()
        for (const [point, value] of Object.entries(reads))
          expect([point, value]).toEqual([point, null])
        expect(requestTenant).toBeNull()
      })

      it('required: 401 application/problem+json (E2)', async () => {
        const port = await start({ required: true })
        const res = await send(port, { path: '/tenant' })
        expect(res.status).toBe(401)
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
        expect(res.json()).toEqual({
          type: 'urn:tracium:problem:tenant-missing',
          title: 'Tenant required',
          status: 401,
          detail: 'This request needs a tenant and none was given.',
          code: 'TENANT_MISSING',
        })
      })

      const rejections: Array<
        [string, TraciumTenantOptions, () => Promise<Record<string, string>>]
      > = [
        ['TENANT_MISSING', { required: true }, async () => ({})],
        ['TENANT_INVALID', {}, async () => ({ 'x-tenant-id': 'a,b' })],
        ['TENANT_FORBIDDEN', { authorize: () => false }, async () => ({ 'x-tenant-id': 'acme' })],
        [
          'TENANT_CONFLICT',
          { resolve: [fromHeader(), fromQuery('tenant')], consensus: true },
          async () => ({ 'x-tenant-id': 'acme' }),
        ],
        [
          'TOKEN_INVALID',
          { resolve: fromJwt({ secret: JWT_SECRET }) },
          async () => ({ authorization: 'Bearer not.a.token' }),
        ],
      ]
      it.each(rejections)(
        '%s: the same status and body shape on every adapter',
        async (code, options, headers) => {
          const port = await start(options)
          const res = await send(port, { path: '/tenant?tenant=other', headers: await headers() })
          const expected = {
            TENANT_MISSING: 401,
            TOKEN_INVALID: 401,
            TENANT_INVALID: 400,
            TENANT_FORBIDDEN: 403,
            TENANT_CONFLICT: 403,
          }
          expect(res.status).toBe(expected[code as keyof typeof expected])
          expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
          const body = res.json()
          expect(Object.keys(body).sort()).toEqual(['code', 'detail', 'status', 'title', 'type'])
          expect(body).toMatchObject({ code, status: res.status })
          expect(res.text).not.toMatch(/\n\s+at /) // no stack
        },
      )

      it("rejections: 'forward' hands the TenantError to the framework's error handler", async () => {
        const port = await start({ required: true, rejections: 'forward' })
        const res = await send(port, { path: '/tenant' })
        expect(res.status).toBe(401)
        expect(res.json()).toMatchObject({ forwarded: 'TENANT_MISSING' })
      })

      it('exclude: the path skips resolution, the scope still opens', async () => {
        const port = await start({ required: true, exclude: ['/tenant'] })
        const res = await send(port, { path: '/tenant', headers: { 'x-tenant-id': 'acme' } })
        expect(res.status).toBe(200)
        expect(res.json().reads.handler).toBeNull()
      })
    })

    describe('2. isolation under load', () => {
      it('2,000 requests, 64 at a time, 20 tenants, JSON/urlencoded/multipart bodies: zero mismatches', async () => {
        const port = await start()
        const agent = new http.Agent({ keepAlive: true, maxSockets: 64 })
        let mismatches = 0
        let reads = 0
        try {
          await pool(2000, 64, async (i) => {
            const tenant = `tenant-${i % 20}`
            const kind = i % 4
            const res =
              kind === 3
                ? await send(port, { path: '/tenant', headers: { 'x-tenant-id': tenant }, agent })
                : await (() => {
                    const { type, body } = bodies(`note-${i}`)[kind]!
                    return send(port, {
                      path: '/body',
                      body,
                      headers: { 'x-tenant-id': tenant, 'content-type': type },
                      agent,
                    })
                  })()
            const json = res.json()
            if (kind !== 3 && json.body?.note !== `note-${i}`) mismatches++
            for (const [, value] of everyRead(json.reads)) {
              reads++
              if (value !== tenant) mismatches++
            }
            if (json.requestTenant !== tenant) mismatches++
          })
        } finally {
          agent.destroy()
        }
        expect(mismatches).toBe(0)
        expect(reads).toBeGreaterThan(2000 * 4)
      })
    })

    describe('S7: body parsing across many socket reads', () => {
      it.each(['json', 'urlencoded', 'multipart'])(
        'a 2 MiB %s body keeps the tenant after parsing',
        async (kind) => {
          const port = await start()
          const note = 'x'.repeat(2 * 1024 * 1024)
          const { type, body } = bodies(note).find((b) => b.kind === kind)!
          const res = await send(port, {
            path: '/body',
            body,
            headers: { 'x-tenant-id': 'big', 'content-type': type },
          })
          const json = res.json()
          expect(json.body.note.length).toBe(note.length)
          for (const [point, value] of everyRead(json.reads))
            expect([point, value]).toEqual([point, 'big'])
        },
      )
    })

    describe('S7: streams', () => {
      it('a 4 MiB upload read with stream listeners sees the tenant on every chunk', async () => {
        const port = await start()
        const body = Buffer.alloc(4 * 1024 * 1024, 1)
        const res = await send(port, {
          path: '/upload',
          body,
          headers: { 'x-tenant-id': 'uploader', 'content-type': 'application/octet-stream' },
        })
        expect(res.json()).toEqual({ bytes: body.length, chunkTenants: ['uploader'] })
      })
    })

    describe('3. keep-alive', () => {
      it('on one socket, a request without a tenant after one with tenant A sees null everywhere', async () => {
        const port = await start()
        const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
        try {
          const first = await send(port, {
            path: '/tenant',
            headers: { 'x-tenant-id': 'tenant-a' },
            agent,
          })
          const second = await send(port, { path: '/tenant', agent })
          expect(first.json().reads.handler).toBe('tenant-a')
          expect(second.reused).toBe(true)
          for (const [point, value] of Object.entries(second.json().reads)) {
            expect([point, value]).toEqual([point, null])
          }
        } finally {
          agent.destroy()
        }
      })
    })

    describe('4. teardown (S2)', () => {
      it("a timer created in request A that fires after A's response reads null", async () => {
        const port = await start()
        await send(port, { path: '/leak', headers: { 'x-tenant-id': 'tenant-a' } })
        await waitFor(() => probe.late.length === 1)
        expect(probe.late).toEqual([null])
      })

      it('an aborted request closes its scope and the server stays up', async () => {
        const port = await start()
        const closes: ScopeCloseMessage[] = []
        const onClose = (message: unknown) => closes.push(message as ScopeCloseMessage)
        diagnostics.subscribe(TENANT_CHANNELS.scopeClose, onClose)
        try {
          const req = http.get({
            host: '127.0.0.1',
            port,
            path: '/slow',
            headers: { 'x-tenant-id': 'tenant-a' },
            agent: false,
          })
          req.on('error', () => {})
          await waitFor(() => probe.slowStarted.length === 1)
          req.destroy()
          await waitFor(() => closes.some((c) => c.aborted && c.scope.tenantId === 'tenant-a'))
          expect(probe.slowStarted).toEqual(['tenant-a'])
        } finally {
          diagnostics.unsubscribe(TENANT_CHANNELS.scopeClose, onClose)
        }
        const after = await send(port, { path: '/tenant', headers: { 'x-tenant-id': 'tenant-b' } })
        expect(after.json().reads.handler).toBe('tenant-b')
      })
    })

    describe('5. streaming', () => {
      it('an SSE endpoint reads its tenant on every event; two concurrent streams never mix', async () => {
        const port = await start()
        const [a, b] = await Promise.all([
          readEvents(port, 'tenant-a'),
          readEvents(port, 'tenant-b'),
        ])
        expect(a).toEqual(Array(20).fill('tenant-a'))
        expect(b).toEqual(Array(20).fill('tenant-b'))
      })
    })

    describe('6. errors thrown by handlers', () => {
      it.each(['/throw-sync', '/throw-async'])(
        '%s reaches the error handler with the tenant readable',
        async (path) => {
          const port = await start()
          const res = await send(port, { path, headers: { 'x-tenant-id': 'tenant-e' } })
          expect(res.status).toBe(500)
          expect(res.json()).toEqual({ errorHandlerTenant: 'tenant-e', message: 'boom' })
        },
      )
    })

    describe('7. JWT and subdomain sources', () => {
      it('a verified JWT claim resolves; a bad token is 401 without the token in the body', async () => {
        const port = await start({ resolve: fromJwt({ secret: JWT_SECRET, claim: 'org_id' }) })
        const token = await new SignJWT({ org_id: 'org-42' })
          .setProtectedHeader({ alg: 'HS256' })
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode(JWT_SECRET))
        const ok = await send(port, {
          path: '/tenant',
          headers: { authorization: `Bearer ${token}` },
        })
        expect(ok.json().reads.handler).toBe('org-42')
        const tampered = `${token.slice(0, -4)}AAAA`
        const bad = await send(port, {
          path: '/tenant',
          headers: { authorization: `Bearer ${tampered}` },
        })
        expect(bad.status).toBe(401)
        expect(bad.json().code).toBe('TOKEN_INVALID')
        expect(bad.text).not.toContain(tampered.slice(0, 30))
        expect(bad.text).not.toContain(tampered.split('.')[2]!)
      })

      it('the subdomain below the base domain resolves', async () => {
        const port = await start({ resolve: fromSubdomain({ baseDomain: 'app.example.com' }) })
        const res = await send(port, {
          path: '/tenant',
          headers: { host: 'Acme.App.Example.com:8080' },
        })
        expect(res.json().reads.handler).toBe('acme')
        const apex = await send(port, { path: '/tenant', headers: { host: 'app.example.com' } })
        expect(apex.json().reads.handler).toBeNull()
      })
    })
  })
}

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await sleep(5)
  }
}
