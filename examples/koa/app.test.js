import http from 'node:http'
import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from './app.js'

describe('examples/koa', () => {
  let server
  let url
  beforeAll(async () => {
    server = createApp().listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    url = `http://127.0.0.1:${server.address().port}`
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })

  it('/chat reads the tenant from X-Tenant-ID', async () => {
    const res = await request(url)
      .post('/chat')
      .set('x-tenant-id', 'tenant-123')
      .send({ message: 'hi' })
    expect(res.status).toBe(200)
    expect(res.body).toEqual({
      response: 'Hello!',
      tenant: 'tenant-123',
      sameAs: 'tenant-123',
      message: 'hi',
    })
  })

  it('the tenant is cleared after the request: the next one on the same connection has none', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    let connections = 0
    const count = () => connections++
    server.on('connection', count)
    try {
      const first = await request(url).post('/chat').agent(agent).set('x-tenant-id', 'tenant-a')
      const second = await request(url).post('/chat').agent(agent)
      expect(first.body.tenant).toBe('tenant-a')
      expect(second.body).toMatchObject({ tenant: null, sameAs: null })
      expect(connections).toBe(1)
    } finally {
      server.off('connection', count)
      agent.destroy()
    }
  })

  it('/usage rejects a missing tenant with 401', async () => {
    const missing = await request(url).get('/usage')
    expect(missing.status).toBe(401)
    expect(missing.body).toEqual({ detail: 'Tenant required' })
    const ok = await request(url).get('/usage').set('x-tenant-id', 'acme')
    expect(ok.body).toEqual({ tenant: 'acme', requests: 1 })
  })

  it('a bad tenant id is a 400 problem, not a crash', async () => {
    const res = await request(url).get('/usage').set('x-tenant-id', 'a,b')
    expect(res.status).toBe(400)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(res.body.code).toBe('TENANT_INVALID')
  })
})
