/** Koa-specific behaviour of @tracium/koa that the shared contract suite does not express. */
import diagnostics from 'node:diagnostics_channel'
import type { AddressInfo } from 'node:net'
import { Router } from '@koa/router'
import {
  getCurrentTenant,
  isTenantError,
  type ScopeCloseMessage,
  TENANT_CHANNELS,
  TenantError,
  TraciumOptionsError,
} from '@tracium/core'
import { type ResolvedTenant, traciumTenant } from '@tracium/koa'
import Koa from 'koa'
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest'
import { send } from './client.js'

let server: ReturnType<Koa['listen']> | undefined
afterEach(async () => {
  server?.closeAllConnections()
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)))
  server = undefined
})

async function listen(app: Koa): Promise<number> {
  server = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server!.once('listening', resolve))
  return (server.address() as AddressInfo).port
}

describe('@tracium/koa', () => {
  it('checks options when the middleware is created (E3)', () => {
    expect(() => traciumTenant({ rejections: 'ignore' as 'forward' })).toThrow(TraciumOptionsError)
    expect(() => traciumTenant({ rejections: 'ignore' as 'forward' })).toThrow(/^@tracium\/koa: /)
    expect(() => traciumTenant({ exclude: ['health'] })).toThrow(
      /^@tracium\/koa: option "exclude" has "health"/,
    )
  })

  it("'respond' answers problem+json with no-store and does not run the rest of the chain", async () => {
    const app = new Koa()
    let downstream = 0
    app.use(traciumTenant({ required: true }))
    app.use((ctx) => {
      downstream++
      ctx.body = 'should not be reached'
    })
    const res = await send(await listen(app), { path: '/chat' })
    expect(res.status).toBe(401)
    expect(res.headers['content-type']).toBe('application/problem+json')
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.json().code).toBe('TENANT_MISSING')
    expect(downstream).toBe(0)
  })

  it("'forward' throws the TenantError itself: upstream catch blocks and app.on('error') get it", async () => {
    const app = new Koa()
    const caught: unknown[] = []
    const emitted: unknown[] = []
    app.on('error', (error) => emitted.push(error))
    app.use(async (_ctx, next) => {
      try {
        await next()
      } catch (error) {
        caught.push(error)
        throw error // on to Koa's default handler: ctx.onerror, app.on('error')
      }
    })
    app.use(traciumTenant({ required: true, rejections: 'forward' }))
    const res = await send(await listen(app), { path: '/chat' })
    // Koa's ctx.onerror would send the developer message as text; the adapter's answers instead.
    expect(res.status).toBe(401)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(res.json()).toMatchObject({ code: 'TENANT_MISSING', status: 401 })
    expect(caught).toHaveLength(1)
    expect(caught[0]).toBeInstanceOf(TenantError)
    expect(emitted).toEqual(caught)
  })

  const failingSources = {
    sync: () => {
      throw new Error('tenant directory down')
    },
    async: async () => {
      throw new Error('tenant directory down')
    },
  }
  it.each(Object.entries(failingSources))(
    'errors thrown by user code in a %s source go to Koa\'s error path, also with rejections: "respond"',
    async (_kind, resolve) => {
      const app = new Koa()
      const emitted: unknown[] = []
      app.on('error', (error) => emitted.push(error))
      app.use(traciumTenant({ resolve }))
      const res = await send(await listen(app), { path: '/chat' })
      expect(res.status).toBe(500)
      expect(res.text).toBe('Internal Server Error') // not exposed
      expect(emitted).toHaveLength(1)
      expect(isTenantError(emitted[0])).toBe(false)
      expect((emitted[0] as Error).message).toBe('tenant directory down')
    },
  )

  it('where the scope is: middleware before traciumTenant reads null after `await next()`, ctx.state.tenant still works', async () => {
    const app = new Koa()
    const reads: Record<string, unknown> = {}
    app.on('error', () => {
      reads.appOnError = getCurrentTenant()
    })
    app.use(async (ctx, next) => {
      try {
        await next()
      } catch (error) {
        reads.outerCatch = getCurrentTenant()
        reads.outerState = ctx.state.tenant?.id
        throw error
      }
    })
    app.use(traciumTenant())
    app.use(async (_ctx, next) => {
      try {
        await next()
      } catch (error) {
        reads.innerCatch = getCurrentTenant()
        throw error
      }
    })
    app.use(async () => {
      await new Promise((resolve) => setTimeout(resolve, 1))
      throw new Error('boom')
    })
    const res = await send(await listen(app), { path: '/', headers: { 'x-tenant-id': 'acme' } })
    expect(res.status).toBe(500)
    expect(reads).toEqual({
      innerCatch: 'acme',
      outerCatch: null,
      outerState: 'acme',
      appOnError: null,
    })
  })

  it('async sources resolve; ctx.state.tenant is typed through DefaultState', async () => {
    const app = new Koa()
    app.use(
      traciumTenant({ resolve: async (req) => new URL(req.url, 'http://x').searchParams.get('t') }),
    )
    app.use((ctx) => {
      expectTypeOf(ctx.state.tenant).toEqualTypeOf<ResolvedTenant | undefined>()
      ctx.body = { state: ctx.state.tenant, current: getCurrentTenant() }
    })
    const res = await send(await listen(app), { path: '/?t=acme' })
    expect(res.json()).toEqual({ state: { id: 'acme', source: 'custom:resolve' }, current: 'acme' })
  })

  it('closes the scope with the @koa/router route pattern and the status', async () => {
    const app = new Koa()
    const router = new Router()
    router.get('/users/:id', (ctx) => {
      ctx.status = 201
      ctx.body = { id: ctx.params.id }
    })
    app.use(traciumTenant())
    app.use(router.routes())
    const closes: ScopeCloseMessage[] = []
    const onClose = (message: unknown) => closes.push(message as ScopeCloseMessage)
    diagnostics.subscribe(TENANT_CHANNELS.scopeClose, onClose)
    try {
      const res = await send(await listen(app), {
        path: '/users/7',
        headers: { 'x-tenant-id': 'acme' },
      })
      expect(res.status).toBe(201)
      await new Promise((resolve) => setImmediate(resolve))
    } finally {
      diagnostics.unsubscribe(TENANT_CHANNELS.scopeClose, onClose)
    }
    expect(closes).toHaveLength(1)
    expect(closes[0]).toMatchObject({ aborted: false, statusCode: 201, route: '/users/:id' })
    expect(closes[0]!.scope.tenantId).toBe('acme')
  })

  it("coexists with Koa 3's own AsyncLocalStorage (app.currentContext)", async () => {
    const app = new Koa({ asyncLocalStorage: true })
    app.use(traciumTenant())
    app.use(async (ctx) => {
      await new Promise((resolve) => setTimeout(resolve, 1))
      ctx.body = { same: app.currentContext === ctx, tenant: getCurrentTenant() }
    })
    const res = await send(await listen(app), { path: '/', headers: { 'x-tenant-id': 'acme' } })
    expect(res.json()).toEqual({ same: true, tenant: 'acme' })
  })
})
