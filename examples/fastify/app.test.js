import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from './app.js'

describe('examples/fastify', () => {
  const app = createApp()
  let url
  beforeAll(async () => {
    url = await app.listen({ port: 0, host: '127.0.0.1' })
  })
  afterAll(() => app.close())

  it('/chat reads the tenant from X-Tenant-ID', async () => {
    const res = await request(url)
      .post('/chat')
      .set('x-tenant-id', 'tenant-123')
      .send({ message: 'hi' })
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ response: 'Hello!', tenant: 'tenant-123', message: 'hi' })
  })

  it('/chat without a tenant answers with tenant null', async () => {
    const res = await request(url).post('/chat').send({ message: 'hi' })
    expect(res.status).toBe(200)
    expect(res.body.tenant).toBeNull()
  })

  it('/usage rejects a missing tenant with 401', async () => {
    const missing = await request(url).get('/usage')
    expect(missing.status).toBe(401)
    expect(missing.body).toEqual({ detail: 'Tenant required' })
    const ok = await request(url).get('/usage').set('x-tenant-id', 'acme')
    expect(ok.body).toEqual({ tenant: 'acme', requests: 1, source: 'header:x-tenant-id' })
  })

  it('a bad tenant id is a 400 problem, not a crash', async () => {
    const res = await request(url).get('/usage').set('x-tenant-id', 'a,b')
    expect(res.status).toBe(400)
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/)
    expect(res.body.code).toBe('TENANT_INVALID')
    expect((await request(url).get('/usage').set('x-tenant-id', 'acme')).status).toBe(200)
  })
})
