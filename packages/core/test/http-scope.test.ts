import diagnostics from 'node:diagnostics_channel'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createTenantResolver,
  getCurrentTenant,
  isTenantError,
  openHttpScope,
  resolveInScope,
  type ScopeCloseMessage,
  TENANT_CHANNELS,
} from '../src/index.js'
import { request } from './helpers-http.js'

let server: http.Server | undefined
afterEach(
  () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
)

/** The smallest adapter: what every framework adapter does, on node:http. */
async function serve(options = {}) {
  const resolver = createTenantResolver(options)
  server = http.createServer((req, res) => {
    const scope = openHttpScope(req, res, req.url ?? '/', () => '/route/:id')
    const request = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers }
    resolveInScope(
      resolver,
      scope,
      request,
      () => {
        const tenants = new Set<string | null>()
        req.on('data', () => tenants.add(getCurrentTenant()))
        req.on('end', () => res.end(JSON.stringify([...tenants])))
      },
      (error) => res.writeHead(isTenantError(error) ? error.status : 500).end(),
    )
  })
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
  return (server.address() as AddressInfo).port
}

describe('openHttpScope / resolveInScope (S1, S2, S7)', () => {
  it('request stream listeners keep the tenant on every chunk of a large body', async () => {
    const port = await serve()
    const body = 'x'.repeat(2 * 1024 * 1024)
    const res = await request(port, { body, headers: { 'x-tenant-id': 'uploader' } })
    expect(JSON.parse(res.body)).toEqual(['uploader'])
  })

  it('closes the scope with the status and route; rejections take the reject path', async () => {
    const closes: ScopeCloseMessage[] = []
    const onClose = (m: unknown) => closes.push(m as ScopeCloseMessage)
    diagnostics.subscribe(TENANT_CHANNELS.scopeClose, onClose)
    try {
      const port = await serve({ required: true })
      expect((await request(port, { body: '' })).status).toBe(401)
      await request(port, { body: 'x', headers: { 'x-tenant-id': 'a' } })
    } finally {
      diagnostics.unsubscribe(TENANT_CHANNELS.scopeClose, onClose)
    }
    expect(closes.map((c) => [c.statusCode, c.route, c.aborted])).toEqual([
      [401, '/route/:id', false],
      [200, '/route/:id', false],
    ])
  })
})
