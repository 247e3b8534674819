import request from 'supertest'
import { describe, expect, it } from 'vitest'
import { createApp } from './app.js'

describe('examples/express', () => {
  const app = createApp()

  it('/chat reads the tenant from X-Tenant-ID', async () => {
    const res = await request(app)
      .post('/chat')
      .set('x-tenant-id', 'tenant-123')
      .send({ message: 'hi' })
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ response: 'Hello!', tenant: 'tenant-123', message: 'hi' })
  })

  it('/chat without a tenant answers with tenant null', async () => {
    const res = await request(app).post('/chat').send({ message: 'hi' })
    expect(res.body.tenant).toBeNull()
  })

  it('/usage rejects a missing tenant with 401', async () => {
    expect((await request(app).get('/usage')).status).toBe(401)
    expect((await request(app).get('/usage').set('x-tenant-id', 'acme')).body).toEqual({
      tenant: 'acme',
      requests: 1,
    })
  })

  it('a bad tenant id is a 400 problem, not a crash', async () => {
    const res = await request(app).get('/usage').set('x-tenant-id', 'a,b')
    expect(res.status).toBe(400)
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/)
  })
})
