import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { openRequestScope, type RequestScope } from '../src/index.js'

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, scope: RequestScope) => void

/**
 * A framework-free server that uses the request-scope primitive the way adapters do: open at the
 * start, tenant from the header, close when the response closes.
 */
export async function serveWithScope(handler: Handler) {
  const server = http.createServer((req, res) => {
    const scope = openRequestScope({ method: req.method ?? 'GET', url: req.url ?? '/' })
    res.once('close', () =>
      scope.close({ aborted: !res.writableFinished, statusCode: res.statusCode }),
    )
    scope.run(() => {
      const header = req.headers['x-tenant-id']
      if (typeof header === 'string') scope.setTenant(header)
      handler(req, res, scope)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    port,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** One request; resolves with the status, body and whether the socket was reused. */
export function request(
  port: number,
  options: {
    path?: string
    headers?: http.OutgoingHttpHeaders
    agent?: http.Agent
    body?: string
  } = {},
): Promise<{ status: number; body: string; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: options.path ?? '/',
        method: options.body === undefined ? 'GET' : 'POST',
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
    req.end(options.body)
  })
}
