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
import { APP_FILTER, HttpAdapterHost, ModulesContainer } from '@nestjs/core'
import {
  createTenantResolver,
  EXACT_PATH_RULES,
  expressPathRules,
  fastifyPathRules,
  type PathRules,
  type TenantAdapterSettings,
  type TenantResolver,
  TraciumOptionsError,
  type TraciumTenantOptions,
} from '@tracium/core'
import {
  OptionalTenantMiddleware,
  skippedRoutes,
  TRACIUM_OPTIONAL_RESOLVER,
} from './skip-tenant.js'
import { TenantExceptionFilter } from './tenant.filter.js'
import { TenantGuard } from './tenant.guard.js'
import { TenantInterceptor } from './tenant.interceptor.js'
import { FASTIFY_REQUEST, TenantMiddleware, TRACIUM_TENANT_RESOLVER } from './tenant.middleware.js'
import { TenantService } from './tenant.service.js'

const PACKAGE = '@tracium/nestjs'

/** Options of {@link TraciumTenantModule.forRoot}: the shared `TraciumTenantOptions` of core. */
export type TraciumNestOptions = TraciumTenantOptions

/** Options of {@link TraciumTenantModule.forRootAsync}, as other Nest modules take them. */
export interface TraciumTenantAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  /** Providers passed to `useFactory`, e.g. `[ConfigService]`. Default: none. */
  inject?: FactoryProvider['inject']
  /**
   * Returns the options (or a promise of them); checked when it resolves, so start-up fails
   * with a `TraciumOptionsError` naming the fix. Required.
   */
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
 * - provides `TenantInterceptor`, the tenant scope of WebSocket and microservice handlers;
 * - with `required: true`, lets `@SkipTenant()` routes through without a tenant;
 * - registers `TenantExceptionFilter`, so a `TenantError` thrown anywhere (guard, decorator,
 *   service, or the middleware with `rejections: 'forward'`) is answered with its status.
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
  constructor(
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(ModulesContainer) private readonly modules: ModulesContainer,
    @Inject(TRACIUM_OPTIONAL_RESOLVER) private readonly optional: TenantResolver | null,
  ) {}

  /**
   * @param options see `TraciumTenantOptions`. Default: `{}` (header source, tenant optional).
   * @throws {TraciumOptionsError} at once for options that cannot work (E3).
   */
  static forRoot(options: TraciumNestOptions = {}): DynamicModule {
    createTenantResolver(options, PACKAGE) // E3: checked now; each app builds its own below
    return TraciumTenantModule.build(
      resolverProviders([HttpAdapterHost], (host: HttpAdapterHost) =>
        buildResolvers(options, settingsFor(host)),
      ),
    )
  }

  /**
   * Options from other providers, e.g. `ConfigService`. Its own arguments are checked at once,
   * the options when the factory resolves (start-up fails with a `TraciumOptionsError`).
   * @throws {TraciumOptionsError} for a missing `useFactory`, an `inject` or `imports` that is
   *   not an array.
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
    checkAsyncOptions(options)
    const { useFactory } = options
    return TraciumTenantModule.build(
      resolverProviders(
        [HttpAdapterHost, ...(options.inject ?? [])],
        async (host: HttpAdapterHost, ...args: unknown[]) =>
          buildResolvers(await useFactory(...args), settingsFor(host), true),
      ),
      options.imports,
    )
  }

  private static build(
    resolvers: Provider[],
    imports: ModuleMetadata['imports'] = [],
  ): DynamicModule {
    return {
      module: TraciumTenantModule,
      global: true,
      imports,
      providers: [
        ...resolvers,
        TenantService,
        TenantGuard,
        TenantInterceptor,
        { provide: APP_FILTER, useClass: TenantExceptionFilter },
      ],
      // The resolvers too: enhancers built in the app's modules (@UseGuards(TenantGuard),
      // @UseInterceptors(TenantInterceptor)) inject them from there.
      exports: [
        TenantService,
        TenantGuard,
        TenantInterceptor,
        TRACIUM_TENANT_RESOLVER,
        TRACIUM_OPTIONAL_RESOLVER,
      ],
    }
  }

  configure(consumer: MiddlewareConsumer) {
    // Nest 12 route syntax (path-to-regexp 8): '{*path}' also matches '/'; a bare '*' is
    // converted to it by LegacyRouteConverter.
    const skipped = this.optional ? skippedRoutes(this.modules) : []
    if (skipped.length === 0) {
      consumer.apply(TenantMiddleware).forRoutes('{*path}')
      return
    }
    // required + @SkipTenant(): see skip-tenant.ts for why this is two middlewares, not a guard.
    consumer
      .apply(TenantMiddleware)
      .exclude(...skipped)
      .forRoutes('{*path}')
    consumer.apply(OptionalTenantMiddleware).forRoutes(...skipped)
  }

  onModuleInit() {
    // On Fastify, Nest middleware gets the raw IncomingMessage; make `request.tenant` of the
    // FastifyRequest read it, declared once so request objects keep one shape.
    const adapter = this.adapterHost.httpAdapter
    if (adapter?.getType() !== 'fastify') return
    const fastify = adapter.getInstance()
    if (fastify.hasRequestDecorator('tenant')) return
    // Request traces are named by route (issue 12); the raw request Nest middleware gets on
    // Fastify has no route, so the Fastify request is left on it. This hook runs after middie
    // (Nest registers middie first), so a request the tenant middleware rejects has no route.
    fastify.addHook('onRequest', (request: { raw: object }, _reply: unknown, done: () => void) => {
      ;(request.raw as { [FASTIFY_REQUEST]?: unknown })[FASTIFY_REQUEST] = request
      done()
    })
    fastify.decorateRequest('tenant', {
      getter(this: { raw: { tenant?: unknown } }) {
        return this.raw.tenant ?? null
      },
    })
  }
}

/** The module's resolvers: `optional` (required: false) exists only with `required: true`. */
interface Resolvers {
  resolver: TenantResolver
  optional: TenantResolver | null
}

const RESOLVERS = Symbol('@tracium/nestjs:resolvers')

/** The resolver providers: both resolvers are built once per app by `build`. */
function resolverProviders(
  inject: NonNullable<FactoryProvider['inject']>,
  build: (...args: never[]) => Resolvers | Promise<Resolvers>,
): Provider[] {
  return [
    { provide: RESOLVERS, inject, useFactory: build },
    {
      provide: TRACIUM_TENANT_RESOLVER,
      inject: [RESOLVERS],
      useFactory: (r: Resolvers) => r.resolver,
    },
    {
      provide: TRACIUM_OPTIONAL_RESOLVER,
      inject: [RESOLVERS],
      useFactory: (r: Resolvers) => r.optional,
    },
  ]
}

function buildResolvers(
  options: unknown,
  settings: TenantAdapterSettings,
  fromFactory = false,
): Resolvers {
  if (fromFactory && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    optionsError(
      `forRootAsync's useFactory returned ${kindOf(options)}; return the options object ` +
        '(or a promise of it), e.g. useFactory: () => ({ required: true }).',
    )
  }
  const checked = options as TraciumNestOptions
  const resolver = createTenantResolver(checked, settings)
  const optional = checked.required
    ? createTenantResolver({ ...checked, required: false }, settings)
    : null
  return { resolver, optional }
}

const ASYNC_KEYS = new Set(['imports', 'inject', 'useFactory'])

function checkAsyncOptions(options: TraciumTenantAsyncOptions): void {
  if (typeof options !== 'object' || options === null) {
    optionsError(
      'forRootAsync() needs { useFactory, inject?, imports? }, e.g. ' +
        'forRootAsync({ inject: [ConfigService], useFactory: (config) => ({ required: true }) }).',
    )
  }
  for (const key of Object.keys(options)) {
    if (!ASYNC_KEYS.has(key)) {
      optionsError(
        `forRootAsync() got an unknown option "${key}"; it takes useFactory, inject and imports ` +
          '(useClass and useExisting are not supported: wrap them in a useFactory).',
      )
    }
  }
  if (typeof options.useFactory !== 'function') {
    optionsError(
      `forRootAsync()'s "useFactory" is ${kindOf(options.useFactory)}; give a function that ` +
        'returns the options, e.g. useFactory: (config: ConfigService) => ({ required: true }).',
    )
  }
  for (const key of ['inject', 'imports'] as const) {
    if (options[key] !== undefined && !Array.isArray(options[key])) {
      optionsError(
        `forRootAsync()'s "${key}" must be an array, e.g. ${key}: [${key === 'inject' ? 'ConfigService' : 'ConfigModule'}].`,
      )
    }
  }
}

function optionsError(message: string): never {
  throw new TraciumOptionsError(`${PACKAGE}: ${message}`)
}

/** What a wrong value is, for messages: `null`, `an array`, `an object`, `a string`, `undefined`… */
function kindOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return 'an object'
  return typeof value === 'string' ? 'a string' : typeof value
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
