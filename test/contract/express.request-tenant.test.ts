/**
 * `req.tenant` on Express is an accessor over `res.locals` (core's exposeRequestTenant): adding
 * a property to Express's prototype-swapped request cost most of the adapter's time per
 * request. These tests pin that it still reads like a property everywhere an app reads it.
 */
import type { AddressInfo } from 'node:net'
import { traciumTenant } from '@tracium/express'
import express from 'express'
import { afterEach, describe, expect, it } from 'vitest'
import { send } from './client.js'

const servers: Array<{ close(): void }> = []
afterEach(() => {
  for (const server of servers.splice(0)) server.close()
})

async function listen(app: express.Express): Promise<number> {
  const server = app.listen(0, '127.0.0.1')
  servers.push(server)
  await new Promise((resolve) => server.once('listening', resolve))
  return (server.address() as AddressInfo).port
}

describe('req.tenant on Express', () => {
  it('reads the resolution in routes, routers, mounted sub-apps and after the response', async () => {
    const app = express()
    const late: unknown[] = []
    app.use(traciumTenant())
    const router = express.Router()
    router.get('/r', (req, res) => res.json({ id: req.tenant?.id }))
    app.use('/router', router)
    const sub = express()
    sub.get('/s', (req, res) => res.json({ id: req.tenant?.id, source: req.tenant?.source }))
    app.use('/sub', sub)
    app.get('/after', (req, res) => {
      res.on('finish', () => late.push(req.tenant?.id))
      res.json({ id: req.tenant?.id })
    })
    const port = await listen(app)
    const headers = { 'x-tenant-id': 'acme' }
    expect((await send(port, { path: '/router/r', headers })).json()).toEqual({ id: 'acme' })
    expect((await send(port, { path: '/sub/s', headers })).json()).toEqual({
      id: 'acme',
      source: 'header:x-tenant-id',
    })
    expect((await send(port, { path: '/after', headers })).json()).toEqual({ id: 'acme' })
    expect(late).toEqual(['acme'])
    expect((await send(port, { path: '/router/r' })).json()).toEqual({ id: null })
  })

  it('an app may still assign req.tenant itself, per request', async () => {
    const app = express()
    app.use(traciumTenant())
    app.use((req, _res, next) => {
      if (req.headers['x-override'] === '1') req.tenant = { id: 'mine', source: 'app' }
      next()
    })
    app.get('/', (req, res) => res.json({ id: req.tenant?.id }))
    const port = await listen(app)
    const headers = { 'x-tenant-id': 'acme' }
    const overridden = await send(port, { path: '/', headers: { ...headers, 'x-override': '1' } })
    expect(overridden.json()).toEqual({ id: 'mine' })
    expect((await send(port, { path: '/', headers })).json()).toEqual({ id: 'acme' })
  })

  it('a request Tracium did not see has no tenant, even on the same app', async () => {
    const app = express()
    app.get('/early', (req, res) => res.json({ tenant: req.tenant ?? 'none' }))
    app.use(traciumTenant())
    app.get('/late', (req, res) => res.json({ id: req.tenant?.id }))
    const port = await listen(app)
    const headers = { 'x-tenant-id': 'acme' }
    expect((await send(port, { path: '/late', headers })).json()).toEqual({ id: 'acme' })
    expect((await send(port, { path: '/early', headers })).json()).toEqual({ tenant: 'none' })
  })
})
