/**
 * `tracium ui`: the local dashboard's HTTP server, on Node's own `node:http`. Read-only (GET and
 * HEAD; anything else is 405), bound to 127.0.0.1 unless told otherwise, and strict about what a
 * browser may do with its answers (see SECURITY_HEADERS).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { API, QueryError } from './api.js'
import type { UiStore } from './data.js'
import { defaultPageDir, loadPage, type PageFile } from './page-files.js'

/** Options of {@link startUiServer}. */
export interface UiServerOptions {
  /** Directory of the store. Default: env `TRACIUM_DIR`, else `.tracium`. */
  dir?: string
  /** Port; `0` picks a free one. Default: `4319`. */
  port?: number
  /** Address to listen on. Default: `'127.0.0.1'` (only this machine). */
  host?: string
  /** Where the built page is. Default: `dist/ui` beside the CLI. */
  pageDir?: string
}

/** A running dashboard. */
export interface UiServer {
  /** `http://127.0.0.1:4319/`. */
  url: string
  close(): Promise<void>
}

/** Default port of `tracium ui`. */
export const DEFAULT_UI_PORT = 4319

// The page loads only its own script and style and talks only to this server; nothing inline,
// no frames, no forms. Stored strings reach the DOM as text, and this is the second wall.
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; " +
    "frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1'])

/**
 * Starts the dashboard over the local store.
 * @throws when the page is missing (a broken install) or the port is taken.
 * @example
 * ```ts
 * const ui = await startUiServer({ dir: '.tracium', port: 0 })
 * console.log(ui.url)
 * await ui.close()
 * ```
 */
export async function startUiServer(options: UiServerOptions = {}): Promise<UiServer> {
  const page = await loadPage(options.pageDir ?? defaultPageDir())
  const store: UiStore = options.dir === undefined ? {} : { dir: options.dir }
  const host = options.host ?? '127.0.0.1'
  let allowedHosts: Set<string> | null = null
  const server = createServer((req, res) => {
    handle(req, res, page, store, allowedHosts).catch((error: unknown) => {
      process.stderr.write(`tracium ui: ${(error as Error)?.message ?? String(error)}\n`)
      if (!res.headersSent) send(res, 500, problem(500, 'The store could not be read.'))
      else res.destroy()
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? DEFAULT_UI_PORT, host, () => resolve())
  })
  const { port } = server.address() as AddressInfo
  // On loopback, a Host header that is not this machine is a DNS-rebinding page trying to read
  // the store through the user's browser: refuse it.
  if (LOOPBACK.has(host)) {
    allowedHosts = new Set(['127.0.0.1', 'localhost', '[::1]'].map((h) => `${h}:${port}`))
  }
  const shown = host.includes(':') ? `[${host}]` : host
  return {
    url: `http://${shown}:${port}/`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  page: Map<string, PageFile>,
  store: UiStore,
  allowedHosts: Set<string> | null,
): Promise<void> {
  if (allowedHosts !== null && !allowedHosts.has(req.headers.host ?? '')) {
    return send(res, 421, problem(421, 'This dashboard answers only on its own address.'))
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD')
    return send(res, 405, problem(405, 'The dashboard is read-only.'))
  }
  const url = new URL(req.url ?? '/', 'http://localhost')
  const endpoint = API.get(url.pathname)
  if (endpoint !== undefined) {
    let body: unknown
    try {
      body = await endpoint(store, url.searchParams, new Date())
    } catch (error) {
      if (error instanceof QueryError) return send(res, 400, problem(400, error.message))
      throw error
    }
    if (body === null) return send(res, 404, problem(404, 'No trace with that id.'))
    const json = { type: 'application/json; charset=utf-8', body: JSON.stringify(body) }
    return send(res, 200, json, req.method === 'HEAD')
  }
  const file = page.get(url.pathname === '/' ? '/index.html' : url.pathname)
  if (file === undefined) return send(res, 404, problem(404, 'Not found.'))
  res.setHeader(
    'cache-control',
    url.pathname.startsWith('/assets/') ? 'max-age=31536000, immutable' : 'no-cache',
  )
  return send(res, 200, { type: file.type, body: file.body }, req.method === 'HEAD')
}

interface Body {
  type: string
  body: string | Buffer
}

function problem(status: number, detail: string): Body {
  const title = {
    400: 'Bad request',
    404: 'Not found',
    405: 'Method not allowed',
    421: 'Misdirected request',
    500: 'Internal error',
  }[status]
  return {
    type: 'application/problem+json',
    body: JSON.stringify({ type: 'about:blank', title, status, detail }),
  }
}

function send(res: ServerResponse, status: number, { type, body }: Body, headOnly = false): void {
  res.statusCode = status
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value)
  if (!res.hasHeader('cache-control')) res.setHeader('cache-control', 'no-store')
  res.setHeader('content-type', type)
  res.setHeader('content-length', Buffer.byteLength(body))
  res.end(headOnly ? undefined : body)
}
