/**
 * The Express README's "Faster requests on Express 5" server: requests and responses made with
 * the app's own prototypes from the start, so Express's per-request `Object.setPrototypeOf`
 * leaves them their hidden class (expressjs/express#5998). The snippet must keep Express and the
 * middleware working as with `app.listen()`, and must really hand Express objects that already
 * have its prototypes (with any other prototype, the swap happens again and nothing is gained).
 */
import http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { getCurrentTenant } from '@tracium/core'
import { traciumTenant } from '@tracium/express'
import express from 'express'
import { afterEach, describe, expect, it } from 'vitest'
import { send } from './client.js'

const servers: http.Server[] = []
afterEach(() => {
  for (const server of servers.splice(0)) server.close()
})

/** The README's server, as written there. */
function sharedClassServer(app: express.Express): http.Server {
  function Request(this: http.IncomingMessage, socket: Socket) {
    http.IncomingMessage.call(this, socket)
  }
  Request.prototype = app.request
  function Response(this: http.ServerResponse, req: http.IncomingMessage) {
    http.ServerResponse.call(this, req)
  }
  Response.prototype = app.response
  return http.createServer(
    {
      IncomingMessage: Request as unknown as typeof http.IncomingMessage,
      ServerResponse: Response as unknown as typeof http.ServerResponse,
    },
    app,
  )
}

async function listen(server: http.Server): Promise<number> {
  servers.push(server)
  server.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  return (server.address() as AddressInfo).port
}

describe('Express on a server whose requests have Express prototypes from the start', () => {
  it('hands Express requests and responses that already have its prototypes', async () => {
    const app = express()
    app.get('/', (_req, res) => res.end())
    const server = sharedClassServer(app)
    const seen: boolean[] = []
    // Before Express runs: its setPrototypeOf must find the prototype it sets already there.
    server.prependListener('request', (req, res) => {
      seen.push(Object.getPrototypeOf(req) === app.request)
      seen.push(Object.getPrototypeOf(res) === app.response)
    })
    const port = await listen(server)
    expect((await send(port, { path: '/' })).status).toBe(200)
    expect(seen).toEqual([true, true])
  })

  it('keeps every request its own tenant, with bodies, routers, req.tenant and errors', async () => {
    const app = express()
    app.use(traciumTenant({ required: true }))
    app.use(express.json())
    const router = express.Router()
    router.post('/echo', async (req, res) => {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5))
      res.json({ tenant: getCurrentTenant(), viaReq: req.tenant?.id, body: req.body })
    })
    app.use('/api', router)
    const port = await listen(sharedClassServer(app))

    // Ten keep-alive connections, twenty requests each: later requests on a connection get
    // objects of the same classes too.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 10 })
    const answers = (
      await Promise.all(
        Array.from({ length: 10 }, async (_, worker) => {
          const replies = []
          for (let n = 0; n < 20; n++) {
            const i = worker * 20 + n
            const tenant = `t${i % 20}`
            const res = await send(port, {
              method: 'POST',
              path: '/api/echo',
              headers: { 'x-tenant-id': tenant, 'content-type': 'application/json' },
              body: JSON.stringify({ i }),
              agent,
            })
            replies.push({ tenant, i, status: res.status, body: res.json(), reused: res.reused })
          }
          return replies
        }),
      )
    ).flat()
    agent.destroy()
    expect(answers).toHaveLength(200)
    for (const { tenant, i, status, body } of answers) {
      expect(status).toBe(200)
      expect(body).toEqual({ tenant, viaReq: tenant, body: { i } })
    }
    expect(answers.filter((a) => a.reused).length).toBeGreaterThanOrEqual(190)
    const rejected = await send(port, { method: 'POST', path: '/api/echo', body: '{}' })
    expect(rejected.status).toBe(401)
    expect(rejected.headers['content-type']).toContain('application/problem+json')
  })
})
