/**
 * One error contract across adapters (issue 9): a `TenantError` thrown by app code gets the same
 * status and problem+json body as a rejection by the middleware (E2), through the framework's
 * own error path, so the app's error handler sees it first; and no client ever reads the
 * developer's how-to-fix message.
 *
 * The harnesses' error handlers answer every error themselves (`{ forwarded }` for a
 * TenantError) unless the request says `x-pass-on: 1`, when they pass TenantErrors on as an app
 * does whose handler only knows its own errors (app-parts.ts `passesOn`).
 */
import type { TraciumTenantOptions } from '@tracium/core'
import { afterEach, describe, expect, it } from 'vitest'
import { send } from './client.js'
import { type AdapterHarness, type ContractServer, Probe } from './harness.js'

const PASS_ON = { 'x-pass-on': '1' }

export function describeErrorsContract(harness: AdapterHarness): void {
  describe(`errors contract: ${harness.name}`, () => {
    let server: ContractServer | undefined
    afterEach(async () => {
      await server?.close()
      server = undefined
    })
    async function start(options: TraciumTenantOptions = {}) {
      server = await harness.start(options, new Probe())
      return server.port
    }

    it('the middleware rejection and requireTenant() in app code answer with the same body', async () => {
      const strict = await start({ required: true })
      const rejected = await send(strict, { path: '/tenant' })
      await server!.close()
      const port = await start()
      for (const path of ['/require-sync', '/require-async']) {
        const thrown = await send(port, { path, headers: PASS_ON })
        expect([path, thrown.status]).toEqual([path, 401])
        expect(thrown.headers['content-type']).toMatch(/^application\/problem\+json/)
        expect(thrown.headers['cache-control']).toBe('no-store')
        expect(thrown.json()).toEqual(rejected.json())
      }
      expect(rejected.json()).toEqual({
        type: 'urn:tracium:problem:tenant-missing',
        title: 'Tenant required',
        status: 401,
        detail: 'This request needs a tenant and none was given.',
        code: 'TENANT_MISSING',
      })
    })

    it("the app's own error handler sees a TenantError from app code first", async () => {
      const port = await start()
      const res = await send(port, { path: '/require-async' })
      expect(res.status).toBe(401)
      expect(res.json()).toMatchObject({ forwarded: 'TENANT_MISSING' })
    })

    it("a forwarded rejection the app's handler passes on gets the same problem+json", async () => {
      const port = await start({ required: true, rejections: 'forward' })
      const res = await send(port, { path: '/tenant', headers: PASS_ON })
      expect(res.status).toBe(401)
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(res.json()).toMatchObject({ code: 'TENANT_MISSING', status: 401 })
    })

    it('no response carries the developer message or a stack (issue 9, defect 5)', async () => {
      const port = await start()
      for (const headers of [{}, PASS_ON]) {
        const res = await send(port, { path: '/require-async', headers })
        expect(res.text).not.toMatch(/Mount the Tracium|withTenant|\n\s+at /)
      }
      const strict = await send(await restart({ required: true }), { path: '/tenant' })
      expect(strict.text).not.toMatch(/looked at|header:x-tenant-id/)
    })

    it('other errors from app code still reach the app handler, untouched', async () => {
      const port = await start()
      const res = await send(port, { path: '/throw-async', headers: { 'x-tenant-id': 't' } })
      expect(res.status).toBe(500)
      expect(res.json()).toEqual({ errorHandlerTenant: 't', message: 'boom' })
    })

    async function restart(options: TraciumTenantOptions) {
      await server?.close()
      return start(options)
    }
  })
}
