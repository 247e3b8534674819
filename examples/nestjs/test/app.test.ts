import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { INestApplication } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppModule } from '../src/app.module.js'

describe('examples/nestjs', () => {
  let app: INestApplication
  let url: string
  beforeAll(async () => {
    app = await NestFactory.create(AppModule, { logger: false })
    await app.listen(0, '127.0.0.1')
    url = await app.getUrl()
  })
  afterAll(() => app.close())

  it('/chat reads the tenant from X-Tenant-ID, via @Tenant() and TenantService', async () => {
    const res = await chat(url, { 'x-tenant-id': 'tenant-123' })
    expect(res.status).toBe(201)
    expect(await res.json()).toEqual({
      response: 'Hello!',
      tenant: 'tenant-123',
      message: 'hi',
      sameAs: 'tenant-123',
    })
  })

  it('/chat without a tenant answers with tenant null', async () => {
    const res = await chat(url)
    expect(await res.json()).toMatchObject({ tenant: null, sameAs: null })
  })

  it('/usage requires a tenant: 401 problem+json without one', async () => {
    const res = await fetch(`${url}/usage`)
    expect(res.status).toBe(401)
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect(await res.json()).toMatchObject({ code: 'TENANT_MISSING', status: 401 })
    const ok = await fetch(`${url}/usage`, { headers: { 'x-tenant-id': 'acme' } })
    expect(await ok.json()).toEqual({ tenant: 'acme', requests: 1 })
  })

  it('a bad tenant id is a 400 problem, not a crash', async () => {
    const res = await fetch(`${url}/usage`, { headers: { 'x-tenant-id': 'a,b' } })
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/)
  })
})

describe('pnpm start', () => {
  let child: ChildProcess | undefined
  afterAll(async () => {
    if (child?.pid === undefined || child.exitCode !== null) return
    // The whole process group started below: sh and the node server it runs.
    const exited = once(child, 'exit')
    process.kill(-child.pid, 'SIGTERM')
    await exited
  })

  // Runs the package's start script as pnpm would: tsc (TypeScript 7) compiles src, then Node
  // runs dist/main.js. Nest resolves ChatService's TenantService from the decorator metadata tsc
  // emitted; without it the app would not start.
  it('compiles and serves the app', async () => {
    const root = fileURLToPath(new URL('..', import.meta.url))
    const { start } = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')).scripts
    child = spawn('sh', ['-c', start], {
      cwd: root,
      env: { ...process.env, PORT: '0', PATH: `${root}/node_modules/.bin:${process.env.PATH}` },
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true, // its own process group, so the server can be stopped with sh
    })
    let output = ''
    child.stdout!.setEncoding('utf8')
    const started = new Promise<string>((resolve, reject) => {
      child!.stdout!.on('data', (chunk: string) => {
        output += chunk
        const match = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
        if (match) resolve(match[1]!)
      })
      child!.once('exit', (code) => reject(new Error(`start exited with ${code}:\n${output}`)))
    })
    const served = await started
    const res = await chat(served, { 'x-tenant-id': 'tenant-123' })
    expect(await res.json()).toMatchObject({ tenant: 'tenant-123', sameAs: 'tenant-123' })
  }, 60_000)
})

function chat(url: string, headers: Record<string, string> = {}) {
  return fetch(`${url}/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ message: 'hi' }),
  })
}
