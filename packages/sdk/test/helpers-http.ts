import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { createTenantResolver, openRequestScope, type RequestScope } from '@tracium/core'
import { onCleanup } from './helpers.js'

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, scope: RequestScope) => void

/**
 * A framework-free server that drives core's request scope the way an adapter does: open at the
 * start, resolve the tenant (X-Tenant-ID, publishing `resolved`), run the handler in the scope,
 * close when the response closes with the status and the route `routeOf` names.
 */
export async function serveWithScope(
  handler: Handler,
  routeOf: (url: string) => string | undefined = () => undefined,
): Promise<{ port: number; idle: () => Promise<void> }> {
  const resolver = createTenantResolver({}, '@tracium/sdk-test')
  let opened = 0
  let closed = 0
  const waiters = new Set<() => void>()
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/'
    const scope = openRequestScope({ method: req.method ?? 'GET', url })
    opened++
    res.once('close', () => {
      closed++
      for (const waiter of waiters) waiter()
      const route = routeOf(url)
      scope.close({
        aborted: !res.writableFinished,
        statusCode: res.statusCode,
        ...(route !== undefined && { route }),
      })
    })
    scope.run(() => {
      resolver.resolve({ method: req.method ?? 'GET', url, headers: req.headers }, scope)
      handler(req, res, scope)
    })
  })
  const { port } = await listen(server)
  // The client may see the response before the server's 'close' event: wait until every
  // request scope has closed (the test's timeout catches one that never does).
  function idle(): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (closed < opened) return
        waiters.delete(check)
        resolve()
      }
      waiters.add(check)
      check()
    })
  }
  return { port, idle }
}

/** One request; resolves with the status, body and whether the socket was reused. */
export function request(
  port: number,
  options: { path?: string; headers?: http.OutgoingHttpHeaders; agent?: http.Agent } = {},
): Promise<{ status: number; body: string; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: options.path ?? '/',
        headers: options.headers,
        agent: options.agent,
      },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk) => {
          body += chunk
        })
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body, reused: req.reusedSocket }),
        )
      },
    )
    req.on('error', reject)
    req.end()
  })
}

/** What the recording server received. */
export interface Recorded {
  method: string
  path: string
  headers: http.IncomingHttpHeaders
  /** Header names and values exactly as sent (values as latin1, i.e. raw bytes). */
  rawHeaders: string[]
  body: string
}

/** How the recording server answers request number `index` (0-based). */
export type Responder = (
  recorded: Recorded,
  index: number,
) => { status: number; body?: string } | 'destroy'

/** A 127.0.0.1 server that records every request and answers with `respond`. */
export async function recordingServer(
  respond: Responder = () => ({ status: 200, body: '{}' }),
): Promise<{ url: string; port: number; requests: Recorded[] }> {
  const requests: Recorded[] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const recorded: Recorded = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body: Buffer.concat(chunks).toString('utf8'),
      }
      const answer = respond(recorded, requests.length)
      requests.push(recorded)
      if (answer === 'destroy') {
        req.socket.destroy()
        return
      }
      res.writeHead(answer.status, { 'content-type': 'application/json' })
      res.end(answer.body ?? '')
    })
  })
  const { port } = await listen(server)
  return { url: `http://127.0.0.1:${port}`, port, requests }
}

async function listen(server: http.Server): Promise<{ port: number }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onCleanup(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  )
  return { port: (server.address() as AddressInfo).port }
}
