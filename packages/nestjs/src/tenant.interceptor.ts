import {
  applyDecorators,
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
  Optional,
  UseFilters,
  UseInterceptors,
} from '@nestjs/common'
import { Reflector } from '@nestjs/core'
import { openRequestScope, resolveInScope, type TenantResolver } from '@tracium/core'
import { Observable, type Subscription } from 'rxjs'
import { messageRequest } from './message-request.js'
import { missingModule } from './module-presence.js'
import { SKIP_TENANT_METADATA, TRACIUM_OPTIONAL_RESOLVER } from './skip-tenant.js'
import { TenantExceptionFilter } from './tenant.filter.js'
import { TRACIUM_TENANT_RESOLVER } from './tenant.middleware.js'

/**
 * The tenant scope for WebSocket gateways and microservice handlers, where no HTTP middleware
 * runs. Per message it opens a scope (S1), resolves the tenant with the module's resolver (same
 * sources, validation, `required`, `authorize`; see `rememberHandshake` for what the sources
 * read) and runs the handler and the rest of the rxjs pipeline in that scope; the scope closes
 * when the handler's observable completes, errors or is unsubscribed (S2).
 *
 * A rejected message errors with the `TenantError` (`TENANT_INVALID`, `TOKEN_INVALID`,
 * `TENANT_MISSING` with `required`, …), which `TenantExceptionFilter` turns into a WebSocket
 * `exception` event or an RPC error carrying the problem details. The module's global filter
 * (`APP_FILTER`) covers microservices, but Nest does not apply global filters to gateways: use
 * {@link UseTenantScope}, which binds both to the gateway. HTTP requests pass through:
 * the middleware has their scope already. Guards run before interceptors, so they do not see
 * the tenant; read it in the handler, pipes, services or later interceptors.
 *
 * @example
 * ```ts
 * @WebSocketGateway()
 * @UseInterceptors(TenantInterceptor)
 * export class ChatGateway {}
 *
 * // or for every gateway and microservice handler:
 * providers: [{ provide: APP_INTERCEPTOR, useClass: TenantInterceptor }]
 * ```
 */
@Injectable()
export class TenantInterceptor implements NestInterceptor {
  constructor(
    @Optional() @Inject(TRACIUM_TENANT_RESOLVER) private readonly resolver?: TenantResolver,
    @Optional()
    @Inject(TRACIUM_OPTIONAL_RESOLVER)
    private readonly optional?: TenantResolver | null,
    @Optional() @Inject(Reflector) private readonly reflector?: Reflector,
  ) {
    if (resolver === undefined) missingModule('TenantInterceptor')
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const type = context.getType()
    if (type !== 'ws' && type !== 'rpc') return next.handle()
    const resolver = this.resolverFor(context)
    const request = messageRequest(context)
    return new Observable((subscriber) => {
      const scope = openRequestScope({ method: request.method, url: request.url })
      let subscription: Subscription | undefined
      // next.handle() is called inside the scope: Nest binds the handler to the async context
      // it is called in (AsyncResource.bind in InterceptorsConsumer), so the handler, its awaits
      // and the operators that run on its values keep the tenant.
      resolveInScope(
        resolver,
        scope,
        request,
        () => {
          // After an async resolution the client may have gone; do not start the handler then.
          if (subscriber.closed) return
          try {
            subscription = next.handle().subscribe(subscriber)
          } catch (error) {
            subscriber.error(error)
          }
        },
        (error) => subscriber.error(error),
      )
      return () => {
        subscription?.unsubscribe()
        scope.close()
      }
    })
  }

  private resolverFor(context: ExecutionContext): TenantResolver {
    if (!this.optional || !this.reflector) return this.resolver!
    const skip = this.reflector.getAllAndOverride<boolean>(SKIP_TENANT_METADATA, [
      context.getHandler(),
      context.getClass(),
    ])
    return skip ? this.optional : this.resolver!
  }
}

/**
 * `@UseInterceptors(TenantInterceptor)` and `@UseFilters(TenantExceptionFilter)` in one, for a
 * WebSocket gateway or a microservice controller (or one handler): each message runs in its
 * tenant scope, and a rejected one reaches the client as a problem (Nest's global filters do
 * not apply to gateways, so the filter is bound here).
 *
 * @example
 * ```ts
 * @WebSocketGateway()
 * @UseTenantScope()
 * export class ChatGateway {}
 * ```
 */
export function UseTenantScope(): ClassDecorator & MethodDecorator {
  return applyDecorators(UseInterceptors(TenantInterceptor), UseFilters(TenantExceptionFilter))
}
