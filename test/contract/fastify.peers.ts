/** The `/peers/...` routes (peers-parts.ts) on Fastify 5, as an encapsulated plugin. */
import type { Readable } from 'node:stream'
import type { MultipartFile } from '@fastify/multipart'
import { getCurrentTenant } from '@tracium/core'
import type { FastifyPluginAsync, FastifyRequest, preValidationHookHandler } from 'fastify'
import { readUpload } from './app-parts.js'
import type { Probe } from './harness.js'
import {
  abortRoute,
  barrierRoute,
  bodyRoute,
  failAfterAwait,
  failInStream,
  fileRoute,
  keepAliveRoute,
  middlewareSetRoute,
  nestedRoute,
  peersState,
  rejectFromCallback,
  setFromBody,
  tenantGenerator,
  tenantStream,
} from './peers-parts.js'

type Query = { key?: string; set?: string }
type Upload = { bytes: number; chunkTenants: Array<string | null> }

/**
 * The app's @fastify/multipart `onFile` option. With `attachFieldsToBody` its preValidation hook
 * hands every file part here (in every context: a root hook reaches child contexts too); the
 * file stream is read with `data` listeners and `part.value` becomes what the route sees.
 */
export async function peersOnFile(part: MultipartFile): Promise<void> {
  ;(part as MultipartFile & { value: Upload }).value = await readUpload(part.file)
}

/**
 * Registered (with `prefix: '/peers'`) last, so this child context inherits the app's parsers
 * (JSON, formbody, multipart, the octet-stream pass-through) and its error handler; it adds a
 * raw-buffer parser of its own.
 */
export function fastifyPeers(probe: Probe): FastifyPluginAsync {
  const state = peersState(probe)
  return async (app) => {
    const reads = new WeakMap<FastifyRequest, Record<string, string | null>>()
    app.addContentTypeParser(
      'application/x-peers-raw',
      { parseAs: 'buffer' },
      (request, body, done) => {
        reads.set(request, { inParser: getCurrentTenant() })
        done(null, body)
      },
    )

    app.get<{ Querystring: Query }>('/barrier', async (request) => ({
      tenants: await barrierRoute(state, request.query.key!, request.query.set),
    }))
    const setInHook: preValidationHookHandler = (request, _reply, done) => {
      reads.set(request, { inMiddleware: setFromBody(request.body) })
      done()
    }
    app.post<{ Querystring: Query }>(
      '/middleware-set',
      { preValidation: setInHook },
      async (request) => ({
        tenants: await middlewareSetRoute(
          state,
          request.query.key!,
          reads.get(request)!.inMiddleware ?? null,
        ),
      }),
    )

    const afterParse: preValidationHookHandler = (request, _reply, done) => {
      reads.set(request, { ...reads.get(request), afterParse: getCurrentTenant() })
      done()
    }
    app.post('/body/:kind', { preValidation: afterParse }, async (request) => {
      const { afterParse: after, ...extra } = reads.get(request)!
      return bodyRoute(request.body, after ?? null, extra)
    })

    app.post('/file', async (request) => {
      const body = request.body as { note?: string; file?: Upload } | undefined
      return fileRoute(body?.note, body?.file)
    })

    app.get<{ Querystring: Query }>('/stream', (request, reply) =>
      reply.type('text/plain').send(tenantStream(state, request.query.key)),
    )

    app.get('/generator', (_request, reply) => reply.type('text/plain').send(tenantGenerator()))

    app.get(
      '/error/middleware-await',
      {
        preHandler: async () => {
          await failAfterAwait()
        },
      },
      async () => ({ unreachable: true }),
    )
    app.get('/error/callback-reject', () => rejectFromCallback())
    app.get('/error/stream', () => failInStream())

    app.get<{ Querystring: Query }>('/keepalive', async (request) => ({
      tenants: await keepAliveRoute(request.query.set),
    }))
    app.get('/nested', async () => ({ tenants: await nestedRoute() }))
    app.post('/abort', (request) => {
      abortRoute(state, request.body as Readable)
      return new Promise<never>(() => {})
    })
  }
}
