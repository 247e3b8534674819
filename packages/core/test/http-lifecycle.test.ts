/**
 * openHttpScope over real sockets, issue 9: the response side, the request's 'close', HTTP/2's
 * compatibility API and a second open for the same request.
 */
import diagnostics from 'node:diagnostics_channel'
import { once } from 'node:events'
import http from 'node:http'
import http2 from 'node:http2'
import net, { type AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createTenantResolver,
  getCurrentTenant,
  openHttpScope,
  type ResolvedTenant,
  resolveInScope,
  type ScopeCloseMessage,
  setTenant,
  TENANT_CHANNELS,
} from '../src/index.js'
import { request } from './helpers-http.js'

type Server = http.Server | http2.Http2Server
let server: Server | undefined
afterEach(
  () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
)

type Handler = (
  req: http.IncomingMessage | http2.Http2ServerRequest,
  res: http.ServerResponse | http2.Http2ServerResponse,
) => void
const resolver = createTenantResolver()

/** What an adapter does, then `handler` in the scope. */
function adapter(handler: Handler): Handler {
  return (req, res) => {
    const scope = openHttpScope(req, res, req.url ?? '/')
    const tenantRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers }
    resolveInScope(
      resolver,
      scope,
      tenantRequest,
      () => handler(req, res),
      () => res.end(),
    )
  }
}

async function listen(created: Server): Promise<number> {
  server = created
  await new Promise<void>((resolve) => created.listen(0, '127.0.0.1', resolve))
  return (created.address() as AddressInfo).port
}

describe('openHttpScope: the response side (issue 9 #6)', () => {
  it("a 'finish' listener added in the request reads its tenant, wherever the response ends", async () => {
    const reads: Array<string | null> = []
    const port = await listen(
      http.createServer(
        adapter((_req, res) => {
          res.on('finish', () => reads.push(getCurrentTenant()))
          // Ends from outside the scope, as Koa's respond() does.
          endOutsideScope(res)
        }),
      ),
    )
    await request(port, { headers: { 'x-tenant-id': 'acme' } })
    await waitFor(() => reads.length === 1)
    expect(reads).toEqual(['acme'])
  })
})

/** Runs `fn` from a timer started outside any request, as Koa's respond() runs outside scopes. */
const outside: Array<() => void> = []
setInterval(() => {
  for (const fn of outside.splice(0)) fn()
}, 1).unref()
function endOutsideScope(res: { end(): unknown }) {
  outside.push(() => res.end())
}

describe("openHttpScope: the request's 'close' (issue 9 #8)", () => {
  it('a response still writing after its request body was read is not closed early', async () => {
    const closes: ScopeCloseMessage[] = []
    const onClose = (m: unknown) => closes.push(m as ScopeCloseMessage)
    diagnostics.subscribe(TENANT_CHANNELS.scopeClose, onClose)
    try {
      const port = await listen(
        http.createServer(
          adapter((req, res) => {
            req.resume()
            // Node emits the request's 'close' once its body is consumed (Node 20 to 24).
            req.once('close', () => {
              let sent = 0
              const timer = setInterval(() => {
                ;(res as http.ServerResponse).write(`${getCurrentTenant()}/${closes.length}\n`)
                if (++sent === 5) {
                  clearInterval(timer)
                  res.end()
                }
              }, 2)
            })
          }),
        ),
      )
      const res = await request(port, { body: 'x'.repeat(1000), headers: { 'x-tenant-id': 'sse' } })
      expect(res.body.trim().split('\n')).toEqual(Array(5).fill('sse/0'))
      expect(closes.map((c) => c.aborted)).toEqual([false])
    } finally {
      diagnostics.unsubscribe(TENANT_CHANNELS.scopeClose, onClose)
    }
  })
})

describe('openHttpScope: pipelined requests queued when the connection goes away (issue 9 #8)', () => {
  it('a queued request whose body was read still closes its scope when the socket closes', async () => {
    const opened: string[] = []
    const closed: Array<string | null> = []
    const onClose = (m: unknown) => closed.push((m as ScopeCloseMessage).scope.tenantId)
    diagnostics.subscribe(TENANT_CHANNELS.scopeClose, onClose)
    try {
      const port = await listen(
        http.createServer(
          adapter((req) => {
            // Reads the whole body (so the request's 'close' fires while the socket is alive),
            // never answers: the second request's response stays queued behind the first.
            req.resume()
            req.once('close', () => opened.push(getCurrentTenant()!))
          }),
        ),
      )
      const socket = net.connect(port, '127.0.0.1')
      socket.on('error', () => {})
      await once(socket, 'connect')
      const post = (tenant: string) =>
        `POST / HTTP/1.1\r\nHost: x\r\nX-Tenant-ID: ${tenant}\r\nContent-Length: 3\r\n\r\nabc`
      socket.write(post('first') + post('queued'))
      await waitFor(() => opened.length === 2)
      expect(closed).toEqual([])
      socket.destroy()
      await waitFor(() => closed.length === 2)
      expect(closed.sort()).toEqual(['first', 'queued'])
    } finally {
      diagnostics.unsubscribe(TENANT_CHANNELS.scopeClose, onClose)
    }
  })
})

describe('openHttpScope: requests sharing one connection', () => {
  // A binding belongs to one request, not to its socket: a listener a request adds while
  // another one is open on the same connection still runs in its own request's scope.
  it('pipelined and later keep-alive requests each bind their own streams', async () => {
    const reads: string[] = []
    const port = await listen(
      http.createServer(
        adapter((req, res) => {
          const id = req.headers['x-id']
          req.on('data', () => reads.push(`${id} data ${getCurrentTenant()}`))
          // Added at A's 'end', when B is open on the same socket too.
          req.on('end', () => {
            res.on('finish', () => reads.push(`${id} finish ${getCurrentTenant()}`))
            endOutsideScope(res)
          })
        }),
      ),
    )
    const socket = net.connect(port, '127.0.0.1')
    socket.on('error', () => {})
    await once(socket, 'connect')
    let answers = ''
    socket.on('data', (chunk) => (answers += chunk))
    const head = (id: string, tenant: string) =>
      `POST / HTTP/1.1\r\nHost: x\r\nX-ID: ${id}\r\nX-Tenant-ID: ${tenant}\r\nContent-Length: 6\r\n\r\n`
    // A's body arrives in two parts, the second together with all of B: both are open at once.
    socket.write(`${head('A', 'acme')}abc`)
    await waitFor(() => reads.length === 1)
    socket.write(`def${head('B', 'globex')}abcdef`)
    await waitFor(() => (answers.match(/HTTP\/1\.1 200/g) ?? []).length === 2)
    socket.write(`${head('C', 'initech')}abcdef`)
    await waitFor(() => (answers.match(/HTTP\/1\.1 200/g) ?? []).length === 3)
    socket.destroy()
    // A's body came in two reads; how TCP splits the others does not matter.
    expect(reads.filter((read) => read.startsWith('A data')).length).toBeGreaterThanOrEqual(2)
    expect([...new Set(reads)].sort()).toEqual([
      'A data acme',
      'A finish acme',
      'B data globex',
      'B finish globex',
      'C data initech',
      'C finish initech',
    ])
  })
})

describe('openHttpScope on the node:http2 compatibility API (issue 9 #7)', () => {
  it('request data listeners and a response finish listener read the tenant; the scope closes', async () => {
    const finish: Array<string | null> = []
    const closes: ScopeCloseMessage[] = []
    const onClose = (m: unknown) => closes.push(m as ScopeCloseMessage)
    diagnostics.subscribe(TENANT_CHANNELS.scopeClose, onClose)
    const port = await listen(
      http2.createServer(
        adapter((req, res) => {
          const tenants = new Set<string | null>()
          req.on('data', () => tenants.add(getCurrentTenant()))
          req.on('end', () => {
            res.on('finish', () => finish.push(getCurrentTenant()))
            endOutsideScope({ end: () => res.end(JSON.stringify([...tenants])) })
          })
        }),
      ),
    )
    const session = http2.connect(`http://127.0.0.1:${port}`)
    try {
      const stream = session.request({ ':method': 'POST', ':path': '/', 'x-tenant-id': 'h2' })
      for (let i = 0; i < 8; i++) stream.write(Buffer.alloc(64 * 1024, i))
      stream.end()
      let body = ''
      stream.setEncoding('utf8')
      stream.on('data', (chunk: string) => {
        body += chunk
      })
      await once(stream, 'end')
      expect(JSON.parse(body)).toEqual(['h2'])
      await waitFor(() => closes.length === 1)
      expect(finish).toEqual(['h2'])
      expect(closes.map((c) => [c.aborted, c.statusCode])).toEqual([[false, 200]])
    } finally {
      session.close()
      diagnostics.unsubscribe(TENANT_CHANNELS.scopeClose, onClose)
    }
  })
})

describe('openHttpScope for a request whose scope is open (issue 9 #9)', () => {
  it('returns that scope; resolveInScope keeps its tenant, only checking the second mount against it', async () => {
    let reads = 0
    const counting = createTenantResolver({
      resolve: (req) => {
        reads++
        return req.headers['x-tenant-id'] as string
      },
    })
    const seen: unknown[] = []
    const port = await listen(
      http.createServer((req, res) => {
        const request = { method: 'GET', url: '/', headers: req.headers }
        const first = openHttpScope(req, res, '/')
        resolveInScope(
          counting,
          first,
          request,
          (tenant: ResolvedTenant) => {
            setTenant('set-in-between')
            const second = openHttpScope(req, res, '/')
            resolveInScope(
              counting,
              second,
              request,
              (again: ResolvedTenant) => {
                seen.push(second === first, again === tenant, getCurrentTenant())
                res.end()
              },
              res.end.bind(res),
            )
          },
          res.end.bind(res),
        )
      }),
    )
    await request(port, { headers: { 'x-tenant-id': 'acme' } })
    expect(seen).toEqual([true, true, 'set-in-between'])
    expect(reads).toBe(2) // the second mount read its source to check it, and set nothing
  })
})

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}
