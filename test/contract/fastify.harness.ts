import type { AddressInfo } from 'node:net'
import type { Readable } from 'node:stream'
import formbody from '@fastify/formbody'
import multipart from '@fastify/multipart'
import { getCurrentTenant, requireTenant } from '@tracium/core'
import { traciumTenant } from '@tracium/fastify'
import Fastify, { type FastifyRequest, type preHandlerHookHandler } from 'fastify'
import {
  errorBody,
  handlerReads,
  leakTimer,
  passesOn,
  readUpload,
  requireAfterAwait,
  streamEvents,
} from './app-parts.js'
import { fastifyPeers, peersOnFile } from './fastify.peers.js'
import type { AdapterHarness } from './harness.js'
import { holdRequest, tenantGenerator, tenantStream } from './lifecycle-parts.js'

type Reads = Record<string, string | null>

const kReads = Symbol('contract reads')
const readsOf = (request: FastifyRequest) =>
  (request as FastifyRequest & { [kReads]: Reads })[kReads]

export const fastifyHarness: AdapterHarness = {
  name: 'fastify',
  hookPoints: [
    'onRequest',
    'preParsing',
    'preValidation',
    'afterBody',
    'preHandler',
    'routePreHandler',
  ],
  routing: { caseSensitive: true, strict: true, decode: true },
  seesRouterSettings: true,
  async start(options, probe, router = {}) {
    const limit = 5 * 1024 * 1024
    const app = Fastify({
      bodyLimit: limit,
      forceCloseConnections: true,
      routerOptions: {
        ...(router.caseSensitive !== undefined && { caseSensitive: router.caseSensitive }),
        ...(router.strict !== undefined && { ignoreTrailingSlash: !router.strict }),
      },
    })
    app.decorateRequest(kReads, null)
    app.addHook('onRequest', (request, _reply, done) => {
      ;(request as FastifyRequest & { [kReads]: Reads })[kReads] = { before: getCurrentTenant() }
      done()
    })
    await app.register(traciumTenant, options)
    app.addHook('onRequest', (request, _reply, done) => {
      readsOf(request).onRequest = getCurrentTenant()
      done()
    })
    app.addHook('preParsing', (request, _reply, payload, done) => {
      readsOf(request).preParsing = getCurrentTenant()
      done(null, payload)
    })
    // keyValues: multipart fields land on request.body, parsed by busboy in a preValidation hook.
    // onFile: file parts of peers.contract.ts's uploads (fastify.peers.ts).
    await app.register(multipart, {
      attachFieldsToBody: 'keyValues',
      limits: { fieldSize: limit },
      onFile: peersOnFile,
    })
    await app.register(formbody, { bodyLimit: limit })
    app.addHook('preValidation', (request, _reply, done) => {
      // The first hook after @fastify/multipart's, which ran after the JSON/urlencoded parsers.
      readsOf(request).afterBody = getCurrentTenant()
      readsOf(request).preValidation = getCurrentTenant()
      done()
    })
    app.addHook('preHandler', async (request) => {
      await new Promise((resolve) => setTimeout(resolve, 1))
      readsOf(request).preHandler = getCurrentTenant()
    })
    // Hands the raw stream to the handler, which reads it itself.
    app.addContentTypeParser('application/octet-stream', (_request, payload, done) => {
      done(null, payload)
    })
    const routePreHandler: preHandlerHookHandler = (request, _reply, done) => {
      setTimeout(() => {
        readsOf(request).routePreHandler = getCurrentTenant()
        done()
      }, 1)
    }

    app.get('/tenant', { preHandler: routePreHandler }, async (request) => ({
      reads: { ...readsOf(request), ...(await handlerReads()) },
      requestTenant: request.tenant?.id ?? null,
    }))
    app.post<{ Body: { note?: string } | undefined }>(
      '/body',
      { preHandler: routePreHandler },
      async (request) => ({
        reads: { ...readsOf(request), ...(await handlerReads()) },
        requestTenant: request.tenant?.id ?? null,
        body: { note: request.body?.note },
      }),
    )
    app.post('/upload', async (request) => readUpload(request.body as Readable))
    app.get('/sse', (_request, reply) => {
      reply.hijack()
      reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' })
      streamEvents(
        (chunk) => reply.raw.write(chunk),
        () => reply.raw.end(),
      )
    })
    app.get('/require-sync', () => ({ tenant: requireTenant() }))
    app.get('/require-async', () => requireAfterAwait())
    app.get('/throw-sync', () => {
      throw new Error('boom')
    })
    app.get('/throw-async', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1))
      throw new Error('boom')
    })
    app.get('/leak', async () => {
      leakTimer(probe)
      return { ok: true }
    })
    app.get('/health', async () => ({ health: 'ok', tenant: getCurrentTenant() }))
    app.get<{ Params: { tenant: string } }>('/t/:tenant/whoami', async (request) => ({
      tenant: getCurrentTenant(),
      param: request.params.tenant,
    }))
    app.get('/slow', (_request, _reply) => {
      probe.slowStarted.push(getCurrentTenant())
    })
    app.get('/lifecycle/stream', (_request, reply) => {
      reply.type('text/plain').send(tenantStream())
    })
    app.get('/lifecycle/generator', (_request, reply) => {
      reply.type('text/plain').send(tenantGenerator())
    })
    app.get('/lifecycle/finish', async (_request, reply) => {
      reply.raw.on('finish', () => probe.finish.push(getCurrentTenant()))
      return { ok: true }
    })
    app.get('/lifecycle/hold', () => {
      holdRequest(probe.held)
    })
    app.setErrorHandler((error, request, reply) => {
      // A rethrow hands the error to Fastify's default handling, as `reply.send(error)` does.
      if (passesOn(request.headers, error)) throw error
      const { status, body } = errorBody(error)
      reply.code(status).send(body)
    })

    // peers.contract.ts: a child context that inherits all of the above (see fastify.peers.ts).
    await app.register(fastifyPeers(probe), { prefix: '/peers' })

    await app.listen({ port: 0, host: '127.0.0.1' })
    return {
      port: (app.server.address() as AddressInfo).port,
      close: () => app.close(),
    }
  },
}
