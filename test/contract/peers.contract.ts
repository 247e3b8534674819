/**
 * The peers' scenarios (issue 9, "Done when"): what the test suites of @fastify/request-context,
 * nestjs-cls, cls-rtracer, express-http-context and @nestarc/tenancy check, ported to our
 * contract routes (`/peers/...`, see peers-parts.ts) and run against every adapter. Our own
 * tests; only the scenarios come from those suites.
 *
 * Which peer scenario each test ports:
 * - barrier, header tenants: @fastify/request-context's race test (two requests each wait in
 *   the handler until the other one set its value, then read); cls-rtracer's and
 *   express-http-context's "different values for concurrent requests with callbacks / promises
 *   / async-await".
 * - barrier, setTenant() in the handler: express-http-context "maintains unique value across
 *   concurrent requests" (set in the handler, read after a timer); nestjs-cls's controller
 *   `cls.set()` read back in a service.
 * - barrier, setTenant() in a route middleware from the parsed body: @fastify/request-context
 *   "preserves values set in prevalidation phase within single POST request" and "values set in
 *   multiple phases"; nestjs-cls's values set in middleware/guard read in the controller.
 * - 20 barrier pairs at once: @nestarc/tenancy "should isolate concurrent contexts".
 * - body parsers: @fastify/request-context "does not lose request context after body parsing".
 * - file uploads: cls-rtracer "available in emitters" (stream listeners on the request), on the
 *   multipart file stream of multer / @fastify/multipart / koa-body.
 * - streamed responses: cls-rtracer "available in emitters", on a Readable piped through a
 *   Transform to a client that pushes back, and on an async generator given as the body.
 * - error handlers: nestjs-cls's error route (the exception filter reads the same context as the
 *   controller, thrown after an await) and cls-rtracer's callback/promise variants.
 * - keep-alive, sequential: @fastify/request-context "does not affect new request context when
 *   mutating context data" (a value set in one request is not seen by the next); nestjs-cls
 *   "does not leak context" (nestjs-cls#1, keep-alive leaks with enterWith).
 * - keep-alive, pipelined over a raw socket: the same, with requests queued on one connection.
 * - nested withTenant(): @nestarc/tenancy "should handle nested contexts" and "should restore
 *   tenant after runWithoutTenant() completes".
 * - client aborts mid-body: nestjs-cls's and cls-rtracer's "does not return id outside of
 *   request" after the request is gone: the scope closes and the server keeps serving.
 * Not ported here: express-http-context "middleware used multiple times" and "depended upon
 * directly and transitively" (issue 9 items 9 and S8, covered by their own tests).
 */
import diagnostics from 'node:diagnostics_channel'
import { once } from 'node:events'
import http from 'node:http'
import net from 'node:net'
import { type ScopeCloseMessage, TENANT_CHANNELS } from '@tracium/core'
import { afterEach, describe, expect, it } from 'vitest'
import { type Reply, send } from './client.js'
import { type AdapterHarness, type ContractServer, Probe } from './harness.js'
import { GENERATOR_LINES, peersState, STREAM_LINES } from './peers-parts.js'

/** Body kinds each framework parses itself (koa-body has no raw-buffer parser). */
const BODY_KINDS: Record<string, readonly string[]> = {
  express: ['json', 'urlencoded', 'text', 'raw'],
  fastify: ['json', 'urlencoded', 'text', 'raw'],
  koa: ['json', 'urlencoded', 'text'],
  'nest-express': ['json', 'urlencoded', 'text', 'raw'],
  'nest-fastify': ['json', 'urlencoded', 'text', 'raw'],
}

const CONTENT_TYPES: Record<string, string> = {
  json: 'application/json',
  urlencoded: 'application/x-www-form-urlencoded',
  text: 'text/plain',
  raw: 'application/x-peers-raw',
}

function encodeBody(kind: string, note: string): string {
  if (kind === 'json') return JSON.stringify({ note })
  if (kind === 'urlencoded') return new URLSearchParams({ note }).toString()
  return note
}

/** Every value of a tenants object, with its read point, for one-line assertions. */
const entries = (tenants: Record<string, string | null>) => Object.entries(tenants)
const all = (tenants: Record<string, string | null>, value: string | null) =>
  entries(tenants).map(([point]) => [point, value])

/** Sends a body in two writes, so the parser sees it in more than one socket read. */
function sendInTwoParts(
  port: number,
  path: string,
  headers: http.OutgoingHttpHeaders,
  body: string | Buffer,
): Promise<Reply> {
  const bytes = Buffer.from(body)
  const half = Math.floor(bytes.length / 2)
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path,
        headers: { ...headers, 'content-length': bytes.length },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: () => JSON.parse(text),
            reused: false,
          })
        })
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.flushHeaders()
    req.write(bytes.subarray(0, half), () => setImmediate(() => req.end(bytes.subarray(half))))
  })
}

/** A multipart body with a `note` field and a `file` part of `size` bytes. */
function multipartFile(note: string, size: number): { type: string; body: Buffer } {
  const boundary = '----tracium-peers-boundary'
  const head = [
    `--${boundary}`,
    'Content-Disposition: form-data; name="note"',
    '',
    note,
    `--${boundary}`,
    'Content-Disposition: form-data; name="file"; filename="report.bin"',
    'Content-Type: application/octet-stream',
    '',
    '',
  ].join('\r\n')
  return {
    type: `multipart/form-data; boundary=${boundary}`,
    body: Buffer.concat([
      Buffer.from(head),
      Buffer.alloc(size, 7),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]),
  }
}

interface RawResponse {
  status: number
  headers: Record<string, string>
  body: string
}

/**
 * Writes all `requests` at once on one raw socket (HTTP/1.1 pipelining; the last one says
 * `Connection: close`) and parses the responses in order (content-length or chunked).
 */
function pipelined(port: number, requests: string[]): Promise<RawResponse[]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('error', reject)
    socket.on('end', () => {
      try {
        resolve(parseResponses(Buffer.concat(chunks), requests.length))
      } catch (error) {
        reject(error)
      }
    })
    socket.write(requests.join(''))
  })
}

function parseResponses(data: Buffer, count: number): RawResponse[] {
  const responses: RawResponse[] = []
  let at = 0
  while (responses.length < count) {
    const headEnd = data.indexOf('\r\n\r\n', at)
    if (headEnd < 0) throw new Error(`only ${responses.length} of ${count} responses arrived`)
    const [statusLine, ...lines] = data.subarray(at, headEnd).toString('latin1').split('\r\n')
    const headers: Record<string, string> = {}
    for (const line of lines) {
      const colon = line.indexOf(':')
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
    }
    at = headEnd + 4
    let body: Buffer
    if (headers['transfer-encoding'] === 'chunked') {
      const parts: Buffer[] = []
      for (;;) {
        const lineEnd = data.indexOf('\r\n', at)
        const size = Number.parseInt(data.subarray(at, lineEnd).toString('latin1'), 16)
        at = lineEnd + 2
        if (size === 0) {
          at += 2
          break
        }
        parts.push(data.subarray(at, at + size))
        at += size + 2
      }
      body = Buffer.concat(parts)
    } else {
      const length = Number(headers['content-length'] ?? 0)
      body = data.subarray(at, at + length)
      at += length
    }
    responses.push({
      status: Number(statusLine!.split(' ')[1]),
      headers,
      body: body.toString('utf8'),
    })
  }
  return responses
}

/** The next message on a diagnostics channel that matches `accept`. */
function nextMessage<T>(channel: string, accept: (message: T) => boolean): Promise<T> {
  return new Promise((resolve) => {
    const listener = (message: unknown) => {
      if (!accept(message as T)) return
      diagnostics.unsubscribe(channel, listener)
      resolve(message as T)
    }
    diagnostics.subscribe(channel, listener)
  })
}

/** The keep-alive pattern: tenant A, none, B then set C, none then set D, … */
function keepAliveStep(i: number): { header?: string; set?: string } {
  switch (i % 4) {
    case 0:
      return { header: `ka-a-${i}` }
    case 1:
      return {}
    case 2:
      return { header: `ka-b-${i}`, set: `ka-c-${i}` }
    default:
      return { set: `ka-d-${i}` }
  }
}

function expectedKeepAlive(i: number) {
  const { header, set } = keepAliveStep(i)
  const start = header ?? null
  const afterSet = set ?? start
  return { start, afterSet, later: afterSet }
}

export function describePeersContract(harness: AdapterHarness): void {
  describe(`peers: ${harness.name}`, () => {
    let server: ContractServer | undefined
    let probe: Probe
    afterEach(async () => {
      await server?.close()
      server = undefined
    })
    async function start() {
      probe = new Probe()
      server = await harness.start({}, probe)
      return server.port
    }

    describe('two concurrent requests held at a barrier', () => {
      it('each reads its own header tenant after the other entered the handler', async () => {
        const port = await start()
        const [a, b] = await Promise.all(
          ['peer-a', 'peer-b'].map((tenant) =>
            send(port, { path: '/peers/barrier?key=k', headers: { 'x-tenant-id': tenant } }),
          ),
        )
        expect(a!.status).toBe(200)
        expect(entries(a!.json().tenants)).toEqual(all(a!.json().tenants, 'peer-a'))
        expect(entries(b!.json().tenants)).toEqual(all(b!.json().tenants, 'peer-b'))
        expect(Object.keys(a!.json().tenants)).toEqual(
          expect.arrayContaining(['entered', 'afterBarrier', 'afterTimer', 'nested', 'service']),
        )
      })

      it('setTenant() in the handler: each keeps its own after the other set theirs', async () => {
        const port = await start()
        // Same header tenant for both: a shared cell would let the second set win for both.
        const [a, b, c, d] = await Promise.all([
          send(port, { path: '/peers/barrier?key=s&set=set-a', headers: { 'x-tenant-id': 'x' } }),
          send(port, { path: '/peers/barrier?key=s&set=set-b', headers: { 'x-tenant-id': 'x' } }),
          // And without any tenant before the set.
          send(port, { path: '/peers/barrier?key=n&set=set-c' }),
          send(port, { path: '/peers/barrier?key=n&set=set-d' }),
        ])
        for (const [res, tenant] of [
          [a, 'set-a'],
          [b, 'set-b'],
          [c, 'set-c'],
          [d, 'set-d'],
        ] as const) {
          const { tenants } = res.json()
          expect(entries(tenants)).toEqual(all(tenants, tenant))
        }
      })

      it('setTenant() in a route middleware from the parsed JSON body is seen by the handler', async () => {
        const port = await start()
        const post = (set: string) =>
          send(port, {
            path: '/peers/middleware-set?key=m',
            headers: { 'x-tenant-id': 'header-tenant', 'content-type': 'application/json' },
            body: JSON.stringify({ set }),
          })
        const [a, b] = await Promise.all([post('mw-a'), post('mw-b')])
        for (const [res, tenant] of [
          [a, 'mw-a'],
          [b, 'mw-b'],
        ] as const) {
          expect(res.status).toBe(200)
          const { tenants } = res.json()
          expect(Object.keys(tenants)).toEqual(
            expect.arrayContaining(['inMiddleware', 'handler', 'afterBarrier', 'nested']),
          )
          expect(entries(tenants)).toEqual(all(tenants, tenant))
        }
      })

      it('20 pairs at once, header and setTenant() alternating: no cross-talk', async () => {
        const port = await start()
        const jobs = Array.from({ length: 40 }, (_, i) => {
          const pair = Math.floor(i / 2)
          const tenant = `pair-${pair}-${i % 2}`
          return pair % 2 === 0
            ? send(port, {
                path: `/peers/barrier?key=p${pair}`,
                headers: { 'x-tenant-id': tenant },
              }).then((res) => [res, tenant] as const)
            : send(port, { path: `/peers/barrier?key=p${pair}&set=${tenant}` }).then(
                (res) => [res, tenant] as const,
              )
        })
        let mismatches = 0
        for (const [res, tenant] of await Promise.all(jobs)) {
          for (const [, value] of entries(res.json().tenants)) if (value !== tenant) mismatches++
        }
        expect(mismatches).toBe(0)
      })
    })

    describe('body parsers', () => {
      it.each(BODY_KINDS[harness.name] ?? ['json', 'urlencoded', 'text'])(
        '%s: the tenant is readable after parsing, two tenants at once',
        async (kind) => {
          const port = await start()
          const note = `${kind}-${'n'.repeat(32 * 1024)}`
          const post = (tenant: string) =>
            sendInTwoParts(
              port,
              `/peers/body/${kind}`,
              { 'x-tenant-id': tenant, 'content-type': CONTENT_TYPES[kind]! },
              encodeBody(kind, `${tenant}:${note}`),
            )
          const [a, b] = await Promise.all([post('body-a'), post('body-b')])
          for (const [res, tenant] of [
            [a, 'body-a'],
            [b, 'body-b'],
          ] as const) {
            expect(res.status).toBe(200)
            const { echo, tenants } = res.json()
            expect(echo).toBe(`${tenant}:${note}`)
            expect(Object.keys(tenants)).toEqual(
              expect.arrayContaining(['afterParse', 'handler', 'nested']),
            )
            expect(entries(tenants)).toEqual(all(tenants, tenant))
          }
        },
      )
    })

    describe('multipart file uploads', () => {
      it('the tenant is read on every chunk of the file stream and after the upload', async () => {
        const port = await start()
        const size = 512 * 1024
        const upload = (tenant: string) => {
          const { type, body } = multipartFile(`note-${tenant}`, size)
          return send(port, {
            path: '/peers/file',
            headers: { 'x-tenant-id': tenant, 'content-type': type },
            body,
          })
        }
        const [a, b] = await Promise.all([upload('file-a'), upload('file-b')])
        for (const [res, tenant] of [
          [a, 'file-a'],
          [b, 'file-b'],
        ] as const) {
          expect(res.status).toBe(200)
          const json = res.json()
          expect(json).toMatchObject({
            note: `note-${tenant}`,
            bytes: size,
            chunkTenants: [tenant],
          })
          expect(entries(json.tenants)).toEqual(all(json.tenants, tenant))
        }
      })
    })

    describe('streams', () => {
      it('a Readable piped through a Transform to a paused client reads the tenant in read() and transform()', async () => {
        const port = await start()
        const state = peersState(probe)
        /** Holds the response until the server's source paused, then reads it to its end. */
        const read = (tenant: string) =>
          new Promise<{ status: number; text: string }>((resolve, reject) => {
            const paused = new Promise<void>((resume) => {
              const onPaused = (key: string) => {
                if (key !== tenant) return
                state.events.off('stream-paused', onPaused)
                resume()
              }
              state.events.on('stream-paused', onPaused)
            })
            const req = http.get(
              {
                host: '127.0.0.1',
                port,
                path: `/peers/stream?key=${tenant}`,
                headers: { 'x-tenant-id': tenant },
                agent: false,
              },
              (res) => {
                res.pause()
                const chunks: Buffer[] = []
                res.on('data', (chunk: Buffer) => chunks.push(chunk))
                res.on('end', () =>
                  resolve({
                    status: res.statusCode ?? 0,
                    text: Buffer.concat(chunks).toString('utf8'),
                  }),
                )
                res.on('error', reject)
                paused.then(() => res.resume(), reject)
              },
            )
            req.on('error', reject)
          })
        const [a, b] = await Promise.all([read('stream-a'), read('stream-b')])
        for (const [res, tenant] of [
          [a, 'stream-a'],
          [b, 'stream-b'],
        ] as const) {
          expect(res.status).toBe(200)
          const lines = res.text.split('\n').filter(Boolean)
          expect(lines).toHaveLength(STREAM_LINES)
          const seen = new Set(lines.map((line) => line.split(' ').slice(0, 4).join(' ')))
          expect([...seen]).toEqual([`transform ${tenant} read ${tenant}`])
        }
      })

      it('an async generator handed to the framework as the body reads the tenant on every line', async () => {
        const port = await start()
        const [a, b] = await Promise.all(
          ['gen-a', 'gen-b'].map((tenant) =>
            send(port, { path: '/peers/generator', headers: { 'x-tenant-id': tenant } }),
          ),
        )
        expect(a!.status).toBe(200)
        expect(a!.text).toBe(`gen gen-a\n`.repeat(GENERATOR_LINES))
        expect(b!.text).toBe(`gen gen-b\n`.repeat(GENERATOR_LINES))
      })
    })

    describe("errors reach the app's error handler with the tenant readable", () => {
      it.each(['middleware-await', 'callback-reject', 'stream'])('%s', async (kind) => {
        const port = await start()
        const [a, b] = await Promise.all(
          ['err-a', 'err-b'].map((tenant) =>
            send(port, { path: `/peers/error/${kind}`, headers: { 'x-tenant-id': tenant } }),
          ),
        )
        expect(a!.status).toBe(500)
        expect(a!.json()).toEqual({ errorHandlerTenant: 'err-a', message: 'boom' })
        expect(b!.json()).toEqual({ errorHandlerTenant: 'err-b', message: 'boom' })
      })
    })

    describe('keep-alive', () => {
      it('16 sequential requests on one socket, tenants, no tenant and setTenant() alternating', async () => {
        const port = await start()
        const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
        try {
          for (let i = 0; i < 16; i++) {
            const { header, set } = keepAliveStep(i)
            const res = await send(port, {
              path: set ? `/peers/keepalive?set=${set}` : '/peers/keepalive',
              headers: header ? { 'x-tenant-id': header } : {},
              agent,
            })
            if (i > 0) expect(res.reused).toBe(true)
            expect([i, res.json().tenants]).toEqual([i, expectedKeepAlive(i)])
          }
        } finally {
          agent.destroy()
        }
      })

      it('16 pipelined requests on one raw socket, each with its own tenant or none', async () => {
        const port = await start()
        const requests = Array.from({ length: 16 }, (_, i) => {
          const { header, set } = keepAliveStep(i)
          return [
            `GET ${set ? `/peers/keepalive?set=${set}` : '/peers/keepalive'} HTTP/1.1`,
            'Host: 127.0.0.1',
            ...(header ? [`X-Tenant-ID: ${header}`] : []),
            ...(i === 15 ? ['Connection: close'] : []),
            '',
            '',
          ].join('\r\n')
        })
        const responses = await pipelined(port, requests)
        expect(responses.map((res) => res.status)).toEqual(Array(16).fill(200))
        responses.forEach((res, i) => {
          expect([i, JSON.parse(res.body).tenants]).toEqual([i, expectedKeepAlive(i)])
        })
      })
    })

    describe('nested withTenant()', () => {
      it('awaited, with setTenant() inside, with null and still running: none leaks out', async () => {
        const port = await start()
        const res = await send(port, {
          path: '/peers/nested',
          headers: { 'x-tenant-id': 'outer-t' },
        })
        expect(res.json().tenants).toEqual({
          outer: 'outer-t',
          inner: 'peers-inner',
          innerAfterSet: 'peers-inner-set',
          none: null,
          outerWhileNested: 'outer-t',
          concurrent: 'peers-concurrent',
          outerAfter: 'outer-t',
          afterTimer: 'outer-t',
          nested: 'outer-t',
          service: 'outer-t',
        })
      })
    })

    describe('a client that aborts mid-body', () => {
      it('the chunks read so far saw the tenant, the scope closes as aborted, the server serves on', async () => {
        const port = await start()
        const state = peersState(probe)
        const closed = nextMessage<ScopeCloseMessage>(
          TENANT_CHANNELS.scopeClose,
          (close) => close.scope.tenantId === 'aborter',
        )
        const req = http.request({
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/peers/abort',
          headers: {
            'x-tenant-id': 'aborter',
            'content-type': 'application/octet-stream',
            'content-length': 1024 * 1024,
          },
          agent: false,
        })
        req.on('error', () => {})
        const firstChunk = once(state.events, 'abort-chunk')
        req.write(Buffer.alloc(64 * 1024, 1))
        await firstChunk
        req.destroy()
        const close = await closed
        expect(close.aborted).toBe(true)
        expect(new Set(state.abortChunks)).toEqual(new Set(['aborter']))

        const after = await send(port, {
          path: '/peers/keepalive',
          headers: { 'x-tenant-id': 'after-abort' },
        })
        expect(after.json().tenants).toEqual({
          start: 'after-abort',
          afterSet: 'after-abort',
          later: 'after-abort',
        })
      })
    })
  })
}
