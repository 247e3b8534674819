/**
 * Fastify-specific behaviour the shared contract suite does not cover: register-time option
 * errors (E3), re-entering the scope after a hook called back from a foreign async context (S7),
 * route params known in onRequest, and both error paths.
 */
import diagnostics from 'node:diagnostics_channel'
import { EventEmitter } from 'node:events'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import formbody from '@fastify/formbody'
import multipart from '@fastify/multipart'
import {
  currentRequestScope,
  fromPath,
  getCurrentTenant,
  type ScopeCloseMessage,
  TENANT_CHANNELS,
  type TraciumTenantOptions,
} from '@tracium/core'
import { traciumTenant } from '@tracium/fastify'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { bodies, send } from './client.js'

let app: FastifyInstance | undefined
afterEach(async () => {
  await app?.close()
  app = undefined
})

async function listen(instance: FastifyInstance): Promise<number> {
  app = instance
  await instance.listen({ port: 0, host: '127.0.0.1' })
  return (instance.server.address() as AddressInfo).port
}

async function appWith(
  options: TraciumTenantOptions,
  setup?: (instance: FastifyInstance) => void,
): Promise<FastifyInstance> {
  const instance = Fastify()
  await instance.register(traciumTenant, options)
  setup?.(instance)
  instance.get('/tenant', async (request) => ({
    tenant: getCurrentTenant(),
    requestTenant: request.tenant,
  }))
  return instance
}

describe('@tracium/fastify: options are checked at register time (E3)', () => {
  it('app.register rejects with a message that names the package and the fix', async () => {
    const instance = Fastify()
    await expect(
      instance.register(traciumTenant, { required: 'yes' } as unknown as TraciumTenantOptions),
    ).rejects.toThrow(/^@tracium\/fastify: option "required" must be true or false\./)
    await instance.close()
  })

  it('an unknown option is refused; Fastify register options (logLevel, prefix) are not', async () => {
    const typo = Fastify()
    await expect(
      typo.register(traciumTenant, { requried: true } as unknown as TraciumTenantOptions),
    ).rejects.toThrow(/^@tracium\/fastify: unknown option "requried"/)
    await typo.close()

    const instance = Fastify()
    await instance.register(traciumTenant, { required: true, logLevel: 'warn', prefix: '/api' })
    instance.get('/tenant', async () => ({ tenant: getCurrentTenant() }))
    const port = await listen(instance)
    expect((await send(port, { path: '/tenant' })).status).toBe(401)
    const ok = await send(port, { path: '/tenant', headers: { 'x-tenant-id': 'acme' } })
    expect(ok.json()).toEqual({ tenant: 'acme' })
  })
})

describe('@tracium/fastify: S7, a hook that calls back from a foreign async context', () => {
  // A connection pool created at start-up: its callbacks run in the pool's context, not the
  // request's (as callback-style database and cache clients do).
  function startPool() {
    const pool = new EventEmitter()
    const timer = setInterval(() => pool.emit('ready'), 1)
    return { pool, stop: () => clearInterval(timer) }
  }

  it('the scope is re-entered before validation, so later hooks and the handler keep it', async () => {
    const { pool, stop } = startPool()
    const instance = Fastify()
    instance.addHook('onClose', async () => stop())
    await instance.register(traciumTenant)
    const reads: Record<string, string | null> = {}
    instance.addHook('preParsing', (_request, _reply, payload, done) => {
      pool.once('ready', () => {
        reads.poolCallback = getCurrentTenant()
        done(null, payload)
      })
    })
    instance.addHook('preHandler', async () => {
      reads.preHandler = getCurrentTenant()
    })
    instance.post('/body', async (request) => ({
      reads: { ...reads, handler: getCurrentTenant() },
      body: request.body,
    }))
    const port = await listen(instance)
    const res = await send(port, {
      path: '/body',
      body: JSON.stringify({ note: 'hi' }),
      headers: { 'x-tenant-id': 'acme', 'content-type': 'application/json' },
    })
    expect(res.json()).toEqual({
      // Proves the context really was lost in the pool's callback...
      reads: { poolCallback: null, preHandler: 'acme', handler: 'acme' },
      body: { note: 'hi' },
    })
  })
})

describe('@tracium/fastify: S7, body parsers', () => {
  it.each(bodies('hello'))(
    "a $kind body keeps the scope on Fastify's own, before the plugin re-enters it",
    async ({ type, body }) => {
      const instance = Fastify()
      // Registered before the plugin: these preValidation hooks run before its re-entry.
      await instance.register(multipart, { attachFieldsToBody: 'keyValues' })
      await instance.register(formbody)
      instance.addHook('preValidation', async (request) => {
        ;(request.body as Record<string, unknown>).afterParse = getCurrentTenant()
      })
      await instance.register(traciumTenant)
      instance.post('/body', async (request) => request.body)
      const port = await listen(instance)
      const res = await send(port, {
        path: '/body',
        body,
        headers: { 'x-tenant-id': 'acme', 'content-type': type },
      })
      expect(res.json()).toEqual({ note: 'hello', afterParse: 'acme' })
    },
  )
})

describe('@tracium/fastify: request and routing', () => {
  it('route params are known in onRequest, so fromPath({ param }) works app-wide', async () => {
    const instance = Fastify()
    await instance.register(traciumTenant, { resolve: fromPath({ param: 'org' }) })
    instance.get('/orgs/:org/usage', async (request) => ({
      tenant: getCurrentTenant(),
      requestTenant: request.tenant,
    }))
    const port = await listen(instance)
    const res = await send(port, { path: '/orgs/acme/usage' })
    expect(res.json()).toEqual({
      tenant: 'acme',
      requestTenant: { id: 'acme', source: 'path:org' },
    })
  })

  it('request.tenant is { id: null, source: null } without a tenant and on excluded paths', async () => {
    const port = await listen(await appWith({ exclude: ['/tenant'] }))
    const res = await send(port, { path: '/tenant', headers: { 'x-tenant-id': 'acme' } })
    expect(res.json()).toEqual({ tenant: null, requestTenant: { id: null, source: null } })
  })

  it('an async authorize resolves each request to its own tenant', async () => {
    const authorize = async (tenantId: string) => {
      await sleep(tenantId === 'slow' ? 20 : 1)
      return tenantId !== 'banned'
    }
    const port = await listen(await appWith({ authorize }))
    const [slow, fast, banned] = await Promise.all(
      ['slow', 'fast', 'banned'].map((id) =>
        send(port, { path: '/tenant', headers: { 'x-tenant-id': id } }),
      ),
    )
    expect(slow!.json().tenant).toBe('slow')
    expect(fast!.json().tenant).toBe('fast')
    expect(banned!.status).toBe(403)
    expect(banned!.json().code).toBe('TENANT_FORBIDDEN')
  })

  it('the scope-close event carries the route pattern and status code', async () => {
    const instance = Fastify()
    await instance.register(traciumTenant)
    instance.get('/users/:id', async (_request, reply) => reply.code(201).send({ ok: true }))
    const port = await listen(instance)
    const closes: ScopeCloseMessage[] = []
    const onClose = (message: unknown) => closes.push(message as ScopeCloseMessage)
    diagnostics.subscribe(TENANT_CHANNELS.scopeClose, onClose)
    try {
      await send(port, { path: '/users/7', headers: { 'x-tenant-id': 'acme' } })
      await send(port, { path: '/nowhere', headers: { 'x-tenant-id': 'acme' } })
      const deadline = Date.now() + 2000
      while (closes.length < 2 && Date.now() < deadline) await sleep(5)
    } finally {
      diagnostics.unsubscribe(TENANT_CHANNELS.scopeClose, onClose)
    }
    const summary = closes.map(({ route, statusCode, aborted }) => ({ route, statusCode, aborted }))
    expect(summary).toHaveLength(2)
    expect(summary).toEqual(
      expect.arrayContaining([
        { route: '/users/:id', statusCode: 201, aborted: false },
        { route: undefined, statusCode: 404, aborted: false },
      ]),
    )
  })
})

describe('@tracium/fastify: error paths', () => {
  it("rejections: 'forward' without setErrorHandler: the problem+json answer, not Fastify's default body", async () => {
    const port = await listen(await appWith({ required: true, rejections: 'forward' }))
    const res = await send(port, { path: '/tenant' })
    expect(res.status).toBe(401)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(res.json()).toMatchObject({ status: 401, code: 'TENANT_MISSING' })
    expect(res.text).not.toMatch(/"message"/)
  })

  it('an error thrown by user code (authorize) reaches setErrorHandler inside the scope', async () => {
    const authorize = () => {
      throw new Error('database down')
    }
    const instance = await appWith({ authorize }, (it) =>
      it.setErrorHandler((error, request, reply) => {
        reply.code(503).send({
          message: (error as Error).message,
          inScope: currentRequestScope() !== null,
          tenant: getCurrentTenant(),
          requestTenant: request.tenant,
        })
      }),
    )
    const port = await listen(instance)
    const res = await send(port, { path: '/tenant', headers: { 'x-tenant-id': 'acme' } })
    expect(res.status).toBe(503)
    // Inside the request's scope, with no tenant: authorize never accepted 'acme'.
    expect(res.json()).toEqual({
      message: 'database down',
      inScope: true,
      tenant: null,
      requestTenant: null,
    })
    const after = await send(port, { path: '/tenant', headers: { 'x-tenant-id': 'beta' } })
    expect(after.status).toBe(503)
  })
})
