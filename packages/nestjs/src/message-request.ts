/**
 * The `TenantRequest` of a WebSocket message or a microservice message, so `TenantInterceptor`
 * resolves them with the module's own resolver and sources (no second resolution path):
 *
 * - WebSocket (`ws`): the connection's handshake, `{ method: 'GET', url, headers }` as the
 *   client sent them on upgrade, so `fromHeader()`, `fromJwt()` (Authorization) and
 *   `fromQuery()` read it. platform-ws gives the handshake only to `handleConnection(client,
 *   request)`; hand it over with {@link rememberHandshake}. Socket.IO clients carry theirs
 *   (`client.handshake`), which is read directly.
 * - Microservice (`rpc`): the packet's metadata as headers (Nest 12's `PacketMetadata` of TCP and
 *   Redis, set by the client in `setOnDispatchHook`), with the pattern as `url`. The carrier key
 *   is core's `TENANT_CARRIER_KEY` (`x-tenant-id`): `injectTenant(packet.metadata)` writes it.
 *
 * `raw` is Nest's `ExecutionContext`, for custom sources that read the message itself, e.g.
 * `(req) => (req.raw as ExecutionContext).switchToWs().getData()?.tenant`.
 */
import type { IncomingHttpHeaders } from 'node:http'
import type { ExecutionContext } from '@nestjs/common'
import type { TenantRequest } from '@tracium/core'

/** A handshake as much of it as sources read: Node's upgrade `IncomingMessage` has it. */
export interface Handshake {
  readonly url?: string | undefined
  readonly headers: IncomingHttpHeaders
  /** The upgrade request's raw header list (`req.rawHeaders`), when there is one. */
  readonly rawHeaders?: readonly string[] | undefined
}

const handshakes = new WeakMap<object, Handshake>()
let warnedNoHandshake = false

/**
 * Keeps the WebSocket handshake of `client` for `TenantInterceptor`, which resolves each of the
 * client's messages from it. Call it in your gateway's `handleConnection(client, request)`
 * (platform-ws); Socket.IO needs no call. Held weakly: it goes with the client.
 *
 * @example
 * ```ts
 * @WebSocketGateway()
 * @UseInterceptors(TenantInterceptor)
 * export class ChatGateway implements OnGatewayConnection {
 *   handleConnection(client: WebSocket, request: IncomingMessage) {
 *     rememberHandshake(client, request)
 *   }
 * }
 * ```
 */
export function rememberHandshake(client: object, request: Handshake): void {
  handshakes.set(client, {
    url: request.url,
    headers: request.headers,
    // The raw list shows a second Authorization header that `headers` drops (issue 9 #3).
    ...(request.rawHeaders && { rawHeaders: request.rawHeaders }),
  })
}

const NO_HEADERS: IncomingHttpHeaders = Object.freeze({})

/** The request sources read for a `ws` or `rpc` execution context. */
export function messageRequest(context: ExecutionContext): TenantRequest {
  if (context.getType() === 'ws') {
    const client = context.switchToWs().getClient<{ handshake?: Handshake } | null>()
    const handshake =
      (client && handshakes.get(client)) ??
      (client?.handshake?.headers ? client.handshake : undefined)
    if (handshake === undefined) warnNoHandshake()
    return {
      method: 'GET',
      url: handshake?.url ?? '/',
      headers: handshake?.headers ?? NO_HEADERS,
      ...(handshake?.rawHeaders && { rawHeaders: handshake.rawHeaders }),
      raw: context,
    }
  }
  const rpc = context.switchToRpc().getContext<{
    getMetadata?: () => Record<string, unknown> | undefined
    getPattern?: () => string
  } | null>()
  return {
    method: 'RPC',
    url: typeof rpc?.getPattern === 'function' ? String(rpc.getPattern()) : '',
    headers: headersOf(typeof rpc?.getMetadata === 'function' ? rpc.getMetadata() : undefined),
    raw: context,
  }
}

/** Metadata keys as header names: lower-case, string values only (sources expect that shape). */
function headersOf(metadata: Record<string, unknown> | undefined): IncomingHttpHeaders {
  if (metadata == null || typeof metadata !== 'object') return NO_HEADERS
  const headers: Record<string, string | string[]> = {}
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string' && !Array.isArray(value)) continue
    const name = key.toLowerCase()
    // Two keys that differ only in case are two values: sources reject arrays (R7), never guess.
    const seen = headers[name]
    headers[name] = seen === undefined ? value : ([] as string[]).concat(seen, value)
  }
  return headers
}

function warnNoHandshake(): void {
  if (warnedNoHandshake || process.env.NODE_ENV === 'production') return
  warnedNoHandshake = true
  process.emitWarning(
    '@tracium/nestjs: TenantInterceptor got a WebSocket message from a client whose handshake it ' +
      'does not know, so header, token and query sources read nothing. Call ' +
      'rememberHandshake(client, request) in the gateway’s handleConnection(client, request).',
    { code: 'TRACIUM_NEST_NO_HANDSHAKE' },
  )
}
