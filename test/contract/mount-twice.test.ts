/**
 * Issue 9 #9: the middleware mounted twice in one request (on the app and on a router, or a
 * module imported twice) reuses the scope the first mount opened: one scope, one resolution, and a
 * tenant the app set in between with setTenant() stays.
 */
import 'reflect-metadata'
import diagnostics from 'node:diagnostics_channel'
import type { AddressInfo } from 'node:net'
import { Router } from '@koa/router'
import { Controller, Get, type INestApplication, Module } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { ExpressAdapter } from '@nestjs/platform-express'
import { FastifyAdapter } from '@nestjs/platform-fastify'
import { getCurrentTenant, setTenant, TENANT_CHANNELS, type TenantRequest } from '@tracium/core'
import { traciumTenant as expressTenant } from '@tracium/express'
import { traciumTenant as fastifyTenant } from '@tracium/fastify'
import { traciumTenant as koaTenant } from '@tracium/koa'
import { TraciumTenantModule } from '@tracium/nestjs'
import express from 'express'
import Fastify from 'fastify'
import Koa from 'koa'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { send } from './client.js'

let close: (() => Promise<unknown>) | undefined
let opens = 0
let reads = 0
const onOpen = () => opens++
beforeEach(() => {
  opens = 0
  reads = 0
  diagnostics.subscribe(TENANT_CHANNELS.scopeOpen, onOpen)
})
afterEach(async () => {
  diagnostics.unsubscribe(TENANT_CHANNELS.scopeOpen, onOpen)
  await close?.()
  close = undefined
})

/** The header source, counting its reads: a second resolution shows as a second read. */
const counted = {
  resolve: (request: TenantRequest) => {
    reads++
    return request.headers['x-tenant-id'] as string | undefined
  },
}

async function listen(server: import('node:http').Server): Promise<number> {
  if (!server.listening) await new Promise((resolve) => server.once('listening', resolve))
  close = () => {
    server.closeAllConnections()
    return new Promise((resolve) => server.close(resolve))
  }
  return (server.address() as AddressInfo).port
}

/**
 * One scope, the first mount's tenant (or the app's setTenant) kept; every mount reads its own
 * sources once, to check them against it.
 */
async function expectOneScope(port: number, path: string, expected: string, mounts = 2) {
  const res = await send(port, { path, headers: { 'x-tenant-id': 'from-header' } })
  expect(res.status).toBe(200)
  expect(res.json()).toEqual({ tenant: expected })
  expect({ opens, reads }).toEqual({ opens: 1, reads: mounts })
}

describe('the middleware mounted twice in one request (issue 9 #9)', () => {
  it('Express: app.use and router.use', async () => {
    const app = express()
    app.use(expressTenant(counted))
    app.use((_req, _res, next) => {
      setTenant('set-by-app')
      next()
    })
    const router = express.Router()
    router.use(expressTenant(counted))
    router.get('/x', (_req, res) => {
      res.json({ tenant: getCurrentTenant() })
    })
    app.use('/r', router)
    await expectOneScope(await listen(app.listen(0, '127.0.0.1')), '/r/x', 'set-by-app')
  })

  it('a second mount with required: true still rejects a request without a tenant', async () => {
    const app = express()
    app.use(expressTenant(counted)) // optional for the whole app
    const router = express.Router()
    router.use(expressTenant({ ...counted, required: true })) // required below /admin
    router.get('/x', (_req, res) => {
      res.json({ tenant: getCurrentTenant() })
    })
    app.use('/admin', router)
    app.get('/open', (_req, res) => res.json({ tenant: getCurrentTenant() }))
    const port = await listen(app.listen(0, '127.0.0.1'))
    expect((await send(port, { path: '/open' })).json()).toEqual({ tenant: null })
    const refused = await send(port, { path: '/admin/x' })
    expect(refused.status).toBe(401)
    expect(refused.json()).toMatchObject({ code: 'TENANT_MISSING' })
    const allowed = await send(port, { path: '/admin/x', headers: { 'x-tenant-id': 'acme' } })
    expect(allowed.json()).toEqual({ tenant: 'acme' })
  })

  it("a second mount's own sources and authorize apply to the tenant the first resolved", async () => {
    const app = express()
    app.use(expressTenant()) // the header, for the whole app
    const router = express.Router()
    router.use(
      expressTenant({
        resolve: (request) => request.headers['x-org'] as string | undefined,
        authorize: (tenantId) => tenantId !== 'blocked',
      }),
    )
    router.get('/x', (_req, res) => res.json({ tenant: getCurrentTenant() }))
    app.use('/admin', router)
    const port = await listen(app.listen(0, '127.0.0.1'))
    const call = (headers: Record<string, string>) => send(port, { path: '/admin/x', headers })
    const conflict = await call({ 'x-tenant-id': 'evil', 'x-org': 'acme' })
    expect([conflict.status, conflict.json().code]).toEqual([403, 'TENANT_CONFLICT'])
    const blocked = await call({ 'x-tenant-id': 'blocked' })
    expect([blocked.status, blocked.json().code]).toEqual([403, 'TENANT_FORBIDDEN'])
    expect((await call({ 'x-tenant-id': 'acme', 'x-org': 'acme' })).json()).toEqual({
      tenant: 'acme',
    })
    // The first mount found none: the second resolves as usual.
    expect((await call({ 'x-org': 'acme' })).json()).toEqual({ tenant: 'acme' })
  })

  it('Fastify: a second registration with required: true in a child still rejects', async () => {
    const app = Fastify()
    await app.register(fastifyTenant)
    app.get('/open', async () => ({ tenant: getCurrentTenant() }))
    await app.register(async (child) => {
      await child.register(fastifyTenant, { required: true })
      child.get('/admin', async () => ({ tenant: getCurrentTenant() }))
    })
    await app.listen({ port: 0, host: '127.0.0.1' })
    close = () => app.close()
    const port = (app.server.address() as AddressInfo).port
    expect((await send(port, { path: '/open' })).json()).toEqual({ tenant: null })
    const refused = await send(port, { path: '/admin' })
    expect([refused.status, refused.json().code]).toEqual([401, 'TENANT_MISSING'])
    const ok = await send(port, { path: '/admin', headers: { 'x-tenant-id': 'acme' } })
    expect(ok.json()).toEqual({ tenant: 'acme' })
  })

  it('Koa: app.use and router.use', async () => {
    const app = new Koa()
    app.use(koaTenant(counted))
    app.use((_ctx, next) => {
      setTenant('set-by-app')
      return next()
    })
    const router = new Router()
    router.use(koaTenant(counted))
    router.get('/x', (ctx) => {
      ctx.body = { tenant: getCurrentTenant() }
    })
    app.use(router.routes())
    await expectOneScope(await listen(app.listen(0, '127.0.0.1')), '/x', 'set-by-app')
  })

  it('Fastify: registered twice, and again in an encapsulated child', async () => {
    const app = Fastify()
    await app.register(fastifyTenant, counted)
    app.addHook('onRequest', (_request, _reply, done) => {
      setTenant('set-by-app')
      done()
    })
    await app.register(fastifyTenant, counted)
    await app.register(async (child) => {
      await child.register(fastifyTenant, counted)
      child.get('/x', async () => ({ tenant: getCurrentTenant() }))
    })
    await app.listen({ port: 0, host: '127.0.0.1' })
    close = () => app.close()
    await expectOneScope((app.server.address() as AddressInfo).port, '/x', 'set-by-app', 3)
  })

  it.each(['express', 'fastify'])(
    'Nest on %s: TraciumTenantModule.forRoot() in the app module and in a feature module',
    async (platform) => {
      @Controller()
      class XController {
        @Get('x')
        x() {
          return { tenant: getCurrentTenant() }
        }
      }
      @Module({ imports: [TraciumTenantModule.forRoot(counted)], controllers: [XController] })
      class FeatureModule {}
      @Module({ imports: [TraciumTenantModule.forRoot(counted), FeatureModule] })
      class AppModule {}
      const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter()
      const app: INestApplication = await NestFactory.create(AppModule, adapter, {
        logger: false,
        abortOnError: false,
        forceCloseConnections: true,
      })
      await app.listen(0, '127.0.0.1')
      close = () => app.close()
      const port = (app.getHttpServer().address() as AddressInfo).port
      await expectOneScope(port, '/x', 'from-header')
    },
  )
})
