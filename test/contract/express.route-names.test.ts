/**
 * Express forgets a route's mount path once an error leaves its router (`req.baseUrl` is
 * restored, to `undefined` at the top), so errored requests were traced as
 * `undefined/fail/:id` (issue 12). The scope-close event must carry the full route pattern
 * whether the request succeeded, failed into Express's final handler, or failed inside a
 * mounted router into the app's error handler.
 */
import diagnostics from 'node:diagnostics_channel'
import type { AddressInfo } from 'node:net'
import { type ScopeCloseMessage, TENANT_CHANNELS } from '@tracium/core'
import { traciumTenant } from '@tracium/express'
import express from 'express'
import { afterEach, describe, expect, it } from 'vitest'
import { send } from './client.js'

const cleanups: Array<() => void> = []
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup()
})

async function listen(app: express.Express): Promise<number> {
  const server = app.listen(0, '127.0.0.1')
  cleanups.push(() => server.close())
  await new Promise((resolve) => server.once('listening', resolve))
  return (server.address() as AddressInfo).port
}

/** Collects the route of each closed scope; `wait(n)` resolves once `n` scopes closed. */
function closedRoutes() {
  const routes: Array<string | undefined> = []
  let waiting: { n: number; resolve: () => void } | null = null
  const listener = (message: unknown) => {
    routes.push((message as ScopeCloseMessage).route)
    if (waiting && routes.length >= waiting.n) waiting.resolve()
  }
  diagnostics.subscribe(TENANT_CHANNELS.scopeClose, listener)
  cleanups.push(() => diagnostics.unsubscribe(TENANT_CHANNELS.scopeClose, listener))
  return {
    routes,
    wait: (n: number) =>
      new Promise<void>((resolve) => {
        waiting = { n, resolve }
        if (routes.length >= n) resolve()
      }),
  }
}

describe('Express route patterns of errored requests', () => {
  it('keeps the mount path when the error reaches the final handler or the app error handler', async () => {
    const app = express()
    app.use(traciumTenant())
    app.get('/fail/:id', () => {
      throw new Error('boom')
    })
    const api = express.Router()
    api.get('/items/:id', () => {
      throw new Error('boom')
    })
    api.get('/ok/:id', (_req, res) => {
      res.send('ok')
    })
    app.use('/api', api)
    const withHandler = express.Router()
    withHandler.get('/orders/:id', async () => {
      throw new Error('async boom')
    })
    const handled = express()
    handled.use(traciumTenant())
    handled.use('/v1', withHandler)
    handled.use((_err: unknown, _req: express.Request, res: express.Response, _next: unknown) => {
      res.status(500).send('handled')
    })

    const closes = closedRoutes()
    const port = await listen(app)
    const other = await listen(handled)
    // One at a time, each until its scope closed: the routes come in request order.
    const statuses: number[] = []
    for (const [to, path] of [
      [port, '/fail/1'],
      [port, '/api/items/2?x=1'],
      [port, '/api/ok/3'],
      [other, '/v1/orders/4'],
      [port, '/nope/5'],
    ] as const) {
      statuses.push((await send(to, { path })).status)
      await closes.wait(statuses.length)
    }
    expect(statuses).toEqual([500, 500, 200, 500, 404])
    expect(closes.routes).toEqual([
      '/fail/:id',
      '/api/items/:id',
      '/api/ok/:id',
      '/v1/orders/:id',
      undefined, // no route: the SDK names it `unmatched`
    ])
  })
})
