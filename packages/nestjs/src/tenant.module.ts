import {
  type DynamicModule,
  type FactoryProvider,
  Inject,
  type MiddlewareConsumer,
  Module,
  type ModuleMetadata,
  type NestModule,
  type OnModuleInit,
  type Provider,
} from '@nestjs/common'
import { APP_FILTER, HttpAdapterHost } from '@nestjs/core'
import {
  createTenantResolver,
  EXACT_PATH_RULES,
  expressPathRules,
  fastifyPathRules,
  type PathRules,
  type TenantAdapterSettings,
  type TraciumTenantOptions,
} from '@tracium/core'
import { TenantExceptionFilter } from './tenant.filter.js'
import { TenantGuard } from './tenant.guard.js'
import { TenantMiddleware, TRACIUM_TENANT_RESOLVER } from './tenant.middleware.js'
import { TenantService } from './tenant.service.js'

const PACKAGE = '@tracium/nestjs'

/** Options of {@link TraciumTenantModule.forRoot}: the shared `TraciumTenantOptions` of core. */
export type TraciumNestOptions = TraciumTenantOptions

/** Options of {@link TraciumTenantModule.forRootAsync}, as other Nest modules take them. */
export interface TraciumTenantAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  /** Providers passed to `useFactory`, e.g. `[ConfigService]`. Default: none. */
  inject?: FactoryProvider['inject']
  /** Returns the options; checked when it resolves (start-up fails with the message). */
  // biome-ignore lint/suspicious/noExplicitAny: the injected providers are of any type
  useFactory: (...args: any[]) => TraciumNestOptions | Promise<TraciumNestOptions>
}

/**
 * Tenant context for a Nest 12 app, on platform-express and platform-fastify. A global module:
 * import it once, in the root module. It
 *
 * - mounts `TenantMiddleware` for every route: each request runs in its own tenant scope (S1),
 *   its tenant is resolved (default: the `X-Tenant-ID` header) and set as `req.tenant` (also on
 *   the `FastifyRequest`, from its raw request);
 * - provides `TenantService` and makes `@Tenant()`, `@RequireTenant()`/`TenantGuard` work;
 * - registers `TenantExceptionFilter`, so a `TenantError` thrown anywhere (guard, decorator,
 *   service, or the middleware with `onError: 'forward'`) is answered with its status.
 *
 * @example
 * ```ts
 * @Module({
 *   imports: [TraciumTenantModule.forRoot({ required: true, exclude: ['/health'] })],
 *   controllers: [ChatController],
 * })
 * export class AppModule {}
 * ```
 */
@Module({})
export class TraciumTenantModule implements NestModule, OnModuleInit {
  constructor(@Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost) {}

  /**
   * @param options see `TraciumTenantOptions`. Default: `{}` (header source, tenant optional).
   * @throws {TraciumOptionsError} at once for options that cannot work (E3).
   */
  static forRoot(options: TraciumNestOptions = {}): DynamicModule {
    createTenantResolver(options, PACKAGE) // E3: checked now; each app builds its own below
    return TraciumTenantModule.build({
      provide: TRACIUM_TENANT_RESOLVER,
      inject: [HttpAdapterHost],
      useFactory: (host: HttpAdapterHost) => createTenantResolver(options, settingsFor(host)),
    })
  }

  /**
   * Options from other providers, e.g. `ConfigService`.
   * @example
   * ```ts
   * TraciumTenantModule.forRootAsync({
   *   imports: [ConfigModule],
   *   inject: [ConfigService],
   *   useFactory: (config: ConfigService) => ({ resolve: fromJwt({ secret: config.get('JWT_SECRET') }) }),
   * })
   * ```
   */
  static forRootAsync(options: TraciumTenantAsyncOptions): DynamicModule {
    return TraciumTenantModule.build(
      {
        provide: TRACIUM_TENANT_RESOLVER,
        inject: [HttpAdapterHost, ...(options.inject ?? [])],
        useFactory: async (host: HttpAdapterHost, ...args: unknown[]) =>
          createTenantResolver(await options.useFactory(...args), settingsFor(host)),
      },
      options.imports,
    )
  }

  private static build(resolver: Provider, imports: ModuleMetadata['imports'] = []): DynamicModule {
    return {
      module: TraciumTenantModule,
      global: true,
      imports,
      providers: [
        resolver,
        TenantService,
        TenantGuard,
        { provide: APP_FILTER, useClass: TenantExceptionFilter },
      ],
      exports: [TenantService, TenantGuard],
    }
  }

  configure(consumer: MiddlewareConsumer) {
    // Nest 12 route syntax (path-to-regexp 8): '{*path}' also matches '/'; a bare '*' is
    // converted to it by LegacyRouteConverter.
    consumer.apply(TenantMiddleware).forRoutes('{*path}')
  }

  onModuleInit() {
    // On Fastify, Nest middleware gets the raw IncomingMessage; make `request.tenant` of the
    // FastifyRequest read it, declared once so request objects keep one shape.
    const adapter = this.adapterHost.httpAdapter
    if (adapter?.getType() !== 'fastify') return
    const fastify = adapter.getInstance()
    if (fastify.hasRequestDecorator('tenant')) return
    fastify.decorateRequest('tenant', {
      getter(this: { raw: { tenant?: unknown } }) {
        return this.raw.tenant ?? null
      },
    })
  }
}

/**
 * `exclude` and `fromPath` follow the platform's router: Express's app settings or Fastify's
 * server options (https://expressjs.com/en/5x/api.html#app.settings.table,
 * https://fastify.dev/docs/latest/Reference/Server/#routeroptions). Read at the first request
 * that needs them, once the app is configured; each app's resolver has its own.
 */
function settingsFor(host: HttpAdapterHost): TenantAdapterSettings {
  let rules: PathRules | undefined
  return {
    packageName: PACKAGE,
    pathRules: () => {
      if (rules !== undefined) return rules
      const adapter = host.httpAdapter
      const type = adapter.getType()
      const instance = adapter.getInstance()
      rules =
        type === 'fastify'
          ? fastifyPathRules(instance.initialConfig)
          : type === 'express'
            ? expressPathRules(instance)
            : EXACT_PATH_RULES // another platform: the path as received
      return rules
    },
  }
}
