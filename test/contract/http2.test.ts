/**
 * Issue 9 #7 (and #6 on HTTP/2): the adapters on `node:http2` (h2c, the compatibility API), driven
 * by `node:http2` clients. Listeners on the request stream and on the response run in the
 * request's scope (S7), and streams over shared sessions never mix.
 *
 * Express 5 cannot serve the compatibility API at all (`http2.createServer(app)` throws on the
 * first request: Express swaps the request's prototype for one built on http.IncomingMessage), so
 * it has no app here.
 */
import 'reflect-metadata'
import { once } from 'node:events'
import http2 from 'node:http2'
import type { AddressInfo } from 'node:net'
import type { Readable } from 'node:stream'
import { Router } from '@koa/router'
import {
  Controller,
  Get,
  HttpCode,
  Inject,
  Module,
  Post,
  Req,
  Res,
  StreamableFile,
} from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify'
import { getCurrentTenant } from '@tracium/core'
import { traciumTenant as fastifyTenant } from '@tracium/fastify'
import { traciumTenant as koaTenant } from '@tracium/koa'
import { TraciumTenantModule } from '@tracium/nestjs'
import Fastify from 'fastify'
import Koa from 'koa'
import { afterEach, describe, expect, it } from 'vitest'
import { nestedRead, readUpload } from './app-parts.js'
import { pool } from './client.js'
import { STREAM_CHUNKS, tenantStream } from './lifecycle-parts.js'

/** What every HTTP/2 app serves. `finish` collects the tenants its `finish` listeners read. */
interface H2App {
  port: number
  finish: Array<string | null>
  close(): Promise<unknown>
}

/**
 * Routes: `GET /tenant` → `{ handler, nested }`; `POST /upload` → `readUpload()` of the raw
 * request stream; `GET /finish` adds a `finish` listener to the response; `GET /stream` sends
 * `tenantStream()` the framework's way.
 */
const apps: Record<string, () => Promise<H2App>> = {
  async fastify() {
    const finish: Array<string | null> = []
    const app = Fastify({ http2: true, bodyLimit: 8 * 1024 * 1024 })
    await app.register(fastifyTenant)
    app.addContentTypeParser('application/octet-stream', (_request, payload, done) =>
      done(null, payload),
    )
    app.get('/tenant', async () => ({ handler: getCurrentTenant(), nested: await nestedRead() }))
    app.post('/upload', async (request) => readUpload(request.body as Readable))
    app.get('/finish', async (_request, reply) => {
      reply.raw.on('finish', () => finish.push(getCurrentTenant()))
      return { ok: true }
    })
    app.get('/stream', (_request, reply) => {
      reply.type('text/plain').send(tenantStream())
    })
    await app.listen({ port: 0, host: '127.0.0.1' })
    return { port: (app.server.address() as AddressInfo).port, finish, close: () => app.close() }
  },

  async koa() {
    const finish: Array<string | null> = []
    const app = new Koa()
    app.use(koaTenant())
    const router = new Router()
    router.get('/tenant', async (ctx) => {
      ctx.body = { handler: getCurrentTenant(), nested: await nestedRead() }
    })
    router.post('/upload', async (ctx) => {
      ctx.body = await readUpload(ctx.req)
    })
    router.get('/finish', (ctx) => {
      ctx.res.on('finish', () => finish.push(getCurrentTenant()))
      ctx.body = { ok: true }
    })
    router.get('/stream', (ctx) => {
      ctx.type = 'text/plain'
      ctx.body = tenantStream()
    })
    app.use(router.routes())
    const server = http2.createServer(app.callback())
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    return {
      port: (server.address() as AddressInfo).port,
      finish,
      close: () => new Promise((resolve) => server.close(resolve)),
    }
  },

  async 'nest-fastify'() {
    const finish: Array<string | null> = []
    const FINISH = Symbol('finish')
    @Controller()
    class H2Controller {
      constructor(@Inject(FINISH) private readonly reads: Array<string | null>) {}
      @Get('tenant')
      async tenant() {
        return { handler: getCurrentTenant(), nested: await nestedRead() }
      }
      @Post('upload')
      @HttpCode(200)
      upload(@Req() request: { body: Readable }) {
        return readUpload(request.body)
      }
      @Get('finish')
      finish(@Res({ passthrough: true }) reply: { raw: http2.Http2ServerResponse }) {
        reply.raw.on('finish', () => this.reads.push(getCurrentTenant()))
        return { ok: true }
      }
      @Get('stream')
      stream() {
        return new StreamableFile(tenantStream(), { type: 'text/plain' })
      }
    }
    @Module({
      imports: [TraciumTenantModule.forRoot()],
      controllers: [H2Controller],
      providers: [{ provide: FINISH, useValue: finish }],
    })
    class H2Module {}
    const adapter = new FastifyAdapter({ http2: true, bodyLimit: 8 * 1024 * 1024 })
    const app = await NestFactory.create<NestFastifyApplication>(H2Module, adapter as never, {
      logger: false,
      abortOnError: false,
    })
    adapter
      .getInstance()
      .addContentTypeParser('application/octet-stream', (_request, payload, done) =>
        done(null, payload),
      )
    await app.listen(0, '127.0.0.1')
    return {
      port: (app.getHttpServer().address() as AddressInfo).port,
      finish,
      close: () => app.close(),
    }
  },
}

interface H2Reply {
  status: number
  text: string
}

/** One request on an open session; `body` chunks are written one at a time, waiting for each. */
async function h2request(
  session: http2.ClientHttp2Session,
  init: { path: string; tenant: string; body?: Buffer[] },
): Promise<H2Reply> {
  const stream = session.request({
    ':method': init.body ? 'POST' : 'GET',
    ':path': init.path,
    'x-tenant-id': init.tenant,
    ...(init.body && { 'content-type': 'application/octet-stream' }),
  })
  let text = ''
  stream.setEncoding('utf8')
  stream.on('data', (chunk: string) => {
    text += chunk
  })
  const response = once(stream, 'response') as Promise<[http2.IncomingHttpHeaders]>
  const ended = once(stream, 'end')
  for (const chunk of init.body ?? []) {
    if (!stream.write(chunk)) await once(stream, 'drain')
  }
  stream.end()
  const [[headers]] = await Promise.all([response, ended])
  return { status: Number(headers[':status']), text }
}

function connect(port: number): Promise<http2.ClientHttp2Session> {
  const session = http2.connect(`http://127.0.0.1:${port}`)
  return new Promise((resolve, reject) => {
    session.once('connect', () => resolve(session))
    session.once('error', reject)
  })
}

describe.each(Object.keys(apps))('HTTP/2 (h2c): %s', (name) => {
  let app: H2App | undefined
  const sessions: http2.ClientHttp2Session[] = []
  afterEach(async () => {
    for (const session of sessions.splice(0)) session.destroy()
    await app?.close()
    app = undefined
  })
  async function start(sessionCount = 1) {
    app = await apps[name]!()
    for (let i = 0; i < sessionCount; i++) sessions.push(await connect(app.port))
    return sessions
  }

  it('a 4 MiB upload in 64 chunks, read with data listeners, sees the tenant on every chunk', async () => {
    const [session] = await start()
    const body = Array.from({ length: 64 }, (_, i) => Buffer.alloc(64 * 1024, i))
    const res = await h2request(session!, { path: '/upload', tenant: 'h2-uploader', body })
    expect(res.status).toBe(200)
    expect(JSON.parse(res.text)).toEqual({ bytes: 4 * 1024 * 1024, chunkTenants: ['h2-uploader'] })
  })

  it('2,000 concurrent streams over 4 sessions, 50 tenants, uploads and reads: zero mismatches', async () => {
    const open = await start(4)
    let mismatches = 0
    let checked = 0
    await pool(2000, 2000, async (i) => {
      const tenant = `h2-tenant-${i % 50}`
      const session = open[i % open.length]!
      if (i % 2 === 0) {
        const res = await h2request(session, { path: '/tenant', tenant })
        const { handler, nested } = JSON.parse(res.text)
        checked += 2
        if (handler !== tenant) mismatches++
        if (nested !== tenant) mismatches++
      } else {
        const body = [Buffer.alloc(8 * 1024, 1), Buffer.alloc(8 * 1024, 2)]
        const res = await h2request(session, { path: '/upload', tenant, body })
        const { bytes, chunkTenants } = JSON.parse(res.text)
        checked++
        if (bytes !== 16 * 1024 || chunkTenants.length !== 1 || chunkTenants[0] !== tenant) {
          mismatches++
        }
      }
    })
    expect(mismatches).toBe(0)
    expect(checked).toBe(3000)
  })

  it("the response side: a 'finish' listener and every chunk of a stream body read the tenant", async () => {
    const [session] = await start()
    const [a, b] = await Promise.all([
      h2request(session!, { path: '/stream', tenant: 'h2-a' }),
      h2request(session!, { path: '/stream', tenant: 'h2-b' }),
    ])
    expect(a.text.trim().split('\n')).toEqual(Array(STREAM_CHUNKS).fill('h2-a'))
    expect(b.text.trim().split('\n')).toEqual(Array(STREAM_CHUNKS).fill('h2-b'))
    await h2request(session!, { path: '/finish', tenant: 'h2-finisher' })
    const deadline = Date.now() + 2000
    while (app!.finish.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    expect(app!.finish).toEqual(['h2-finisher'])
  })
})
