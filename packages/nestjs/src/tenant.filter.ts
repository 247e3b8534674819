import type { ServerResponse } from 'node:http'
import { type ArgumentsHost, Catch, type ExceptionFilter, Inject, Optional } from '@nestjs/common'
import { HttpAdapterHost } from '@nestjs/core'
import { type ProblemResponse, problemDetails, problemResponse, TenantError } from '@tracium/core'
import { type Observable, throwError } from 'rxjs'

/**
 * Answers every `TenantError` with its status and an `application/problem+json` body (E2), the
 * same answer the middleware gives. Without it, Nest's built-in filter would answer with the
 * right status (it reads `statusCode`, which `TenantError` carries) but its own JSON body.
 * `@Catch(TenantError)` matches by `instanceof`: a `TenantError` of another copy of core in the
 * process (S8) gets the built-in answer.
 *
 * `TraciumTenantModule` registers it as a global filter (`APP_FILTER`). Filters bound with
 * `@UseFilters()` and those of `app.useGlobalFilters()` are tried before it, so your own filter
 * can still take `TenantError`s (e.g. with `rejections: 'forward'`).
 *
 * @example
 * ```ts
 * // Only needed where the module's filter does not apply, e.g. a filter list of your own:
 * @UseFilters(new TenantExceptionFilter())
 * ```
 */
@Catch(TenantError)
export class TenantExceptionFilter implements ExceptionFilter<TenantError> {
  constructor(
    @Optional() @Inject(HttpAdapterHost) private readonly adapterHost?: HttpAdapterHost,
  ) {}

  catch(error: TenantError, host: ArgumentsHost): Observable<never> | undefined {
    const type = host.getType()
    if (type === 'ws') return this.toClient(error, host)
    // Microservices: an observable error, as RPC filters return; a plain problem object, since
    // transports serialize it as JSON (an Error would reach the client as `{}`).
    if (type !== 'http') return throwError(() => problemDetails(error))
    this.answer(host.switchToHttp().getResponse(), problemResponse(error))
    return undefined
  }

  /**
   * A WebSocket client gets `{ event: 'exception', data: <problem details> }`, the message
   * Nest's `BaseWsExceptionFilter` sends for a `WsException`; rethrowing would only be logged by
   * platform-ws, the client would hear nothing.
   */
  private toClient(error: TenantError, host: ArgumentsHost): undefined {
    const client = host.switchToWs().getClient<{
      readyState?: unknown
      send?: (data: string) => void
      emit?: (event: string, data: unknown) => void
    }>()
    const data = problemDetails(error)
    // A native WebSocket (ws) has a numeric readyState; Socket.IO's emit sends to the client.
    if (typeof client?.readyState === 'number' && typeof client.send === 'function') {
      client.send(JSON.stringify({ event: 'exception', data }))
    } else {
      client?.emit?.('exception', data)
    }
    return undefined
  }

  private answer(response: unknown, { status, headers, body }: ProblemResponse): void {
    const adapter = this.adapterHost?.httpAdapter
    if (adapter?.isHeadersSent(response)) {
      adapter.end(response)
    } else if (adapter) {
      // Through the platform's reply, so its hooks (Fastify onSend, CORS) still apply.
      for (const [name, value] of Object.entries(headers)) adapter.setHeader(response, name, value)
      adapter.reply(response, body, status)
    } else {
      // Constructed by hand (`new TenantExceptionFilter()`): Express's response or a FastifyReply.
      const res = (response as { raw?: ServerResponse }).raw ?? (response as ServerResponse)
      if (res.headersSent) res.end()
      else res.writeHead(status, headers).end(body)
    }
  }
}
