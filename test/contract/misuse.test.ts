/**
 * Misuse gets a clear message (issue 9): at start-up where the mistake can be seen there, else
 * at the first request, naming the fix. Never a silently tenant-less app.
 */
import { createServer, type RequestListener } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Router } from '@koa/router'
import {
  traciumTenant as expressTenant,
  fromHeader,
  MISUSE_WARNING_CODE,
  type TraciumOptionsError,
} from '@tracium/express'
import { traciumTenant as fastifyTenant } from '@tracium/fastify'
import { traciumTenant as koaTenant } from '@tracium/koa'
import express, { type ErrorRequestHandler, type RequestHandler } from 'express'
import Fastify from 'fastify'
import Koa, { type Middleware } from 'koa'
import { afterEach, describe, expect, it } from 'vitest'
import { send } from './client.js'

const servers: Array<{ close(): unknown }> = []
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close()
})

function listen(handler: RequestListener): Promise<number> {
  const server = createServer(handler).listen(0, '127.0.0.1')
  servers.push({ close: () => new Promise((resolve) => server.close(resolve)) })
  return new Promise((resolve) =>
    server.once('listening', () => resolve((server.address() as AddressInfo).port)),
  )
}

/** Resolves with the next process warning of code TRACIUM_MISUSE. */
function nextMisuseWarning(): Promise<Error> {
  return new Promise((resolve) => {
    const onWarning = (warning: Error & { code?: string }) => {
      if (warning.code !== MISUSE_WARNING_CODE) return
      process.off('warning', onWarning)
      resolve(warning)
    }
    process.on('warning', onWarning)
  })
}

describe('a factory mounted without being called', () => {
  it('Express app.use(traciumTenant): every request fails with the fix in the error', async () => {
    const app = express()
    const errors: unknown[] = []
    app.use(expressTenant as unknown as RequestHandler)
    app.get('/chat', (_req, res) => res.json({ ok: true }))
    const onError: ErrorRequestHandler = (error, _req, res, _next) => {
      errors.push(error)
      res.status(500).json({ failed: true })
    }
    app.use(onError)
    const port = await listen(app)
    expect((await send(port, { path: '/chat' })).status).toBe(500)
    expect((await send(port, { path: '/chat' })).status).toBe(500)
    expect(errors).toHaveLength(2)
    const error = errors[0] as TraciumOptionsError
    expect(error.name).toBe('TraciumOptionsError')
    expect(error.message).toMatch(/^@tracium\/express: .*Call it: app\.use\(traciumTenant\(\)\)/)
  })

  it('Koa app.use(traciumTenant): every request fails with the fix in app.on("error")', async () => {
    const app = new Koa()
    const errors: unknown[] = []
    app.on('error', (error) => errors.push(error))
    app.use(koaTenant as unknown as Middleware)
    app.use((ctx) => {
      ctx.body = { ok: true }
    })
    const port = await listen(app.callback())
    expect((await send(port, { path: '/' })).status).toBe(500)
    expect((errors[0] as Error).message).toMatch(/^@tracium\/koa: .*mounted without being called/)
  })

  it('Fastify app.register(traciumTenant()): throws at start-up, naming the fix', () => {
    const call = fastifyTenant as unknown as () => void
    expect(call).toThrow(
      /^@tracium\/fastify: .*app\.register\(traciumTenant, \{ \.\.\.options \}\)/,
    )
    expect(call).toThrow(expect.objectContaining({ name: 'TraciumOptionsError' }))
  })

  it('resolve: fromHeader (the source factory): throws when the middleware is created', () => {
    expect(() => expressTenant({ resolve: fromHeader as never })).toThrow(
      /^@tracium\/express: option "resolve"\[0\] is the source factory itself; .*fromHeader\(\)/,
    )
    const app = Fastify()
    return expect(app.register(fastifyTenant, { resolve: [fromHeader as never] })).rejects.toThrow(
      /^@tracium\/fastify: option "resolve"\[0\] is the source factory itself/,
    )
  })
})

describe('the middleware mounted after the routes that need it', () => {
  it('Express: one warning at the first request, naming the routes and the fix', async () => {
    const app = express()
    app.get('/early', (_req, res) => res.json({ ok: true }))
    app.use(expressTenant())
    app.get('/late', (_req, res) => res.json({ ok: true }))
    const port = await listen(app)
    const warning = nextMisuseWarning()
    await send(port, { path: '/late' })
    expect((await warning).message).toMatch(
      /^@tracium\/express: traciumTenant\(\) is mounted after 1 route\(s\) \(\/early\); .*before the routes/,
    )
  })

  it('Koa: one warning when a router is mounted before the middleware', async () => {
    const app = new Koa()
    const router = new Router()
    router.get('/early', (ctx) => {
      ctx.body = { ok: true }
    })
    app.use(router.routes())
    app.use(koaTenant())
    app.use((ctx) => {
      ctx.body = { ok: true }
    })
    const port = await listen(app.callback())
    const warning = nextMisuseWarning()
    await send(port, { path: '/other' })
    expect((await warning).message).toMatch(
      /^@tracium\/koa: .*before app\.use\(router\.routes\(\)\)/,
    )
  })
})
