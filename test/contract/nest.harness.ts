/**
 * The contract apps on NestJS 12, one per platform: Nest on Express and Nest on Fastify share
 * the module, controller and enhancers below; only body parsing, multipart and the upload
 * stream differ (see `platforms`).
 */
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  type ArgumentsHost,
  type CallHandler,
  type CanActivate,
  Catch,
  Controller,
  createParamDecorator,
  type DynamicModule,
  type ExceptionFilter,
  type ExecutionContext,
  Get,
  type INestApplication,
  Inject,
  Injectable,
  type MiddlewareConsumer,
  Module,
  type NestInterceptor,
  type NestMiddleware,
  Param,
  type PipeTransform,
  Post,
  Req,
  Res,
  StreamableFile,
  type Type,
  UseInterceptors,
} from '@nestjs/common'
import { APP_GUARD, APP_INTERCEPTOR, HttpAdapterHost, NestFactory } from '@nestjs/core'
import {
  ExpressAdapter,
  FileInterceptor as ExpressFile,
  NoFilesInterceptor as ExpressNoFiles,
  type NestExpressApplication,
} from '@nestjs/platform-express'
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify'
import {
  FileInterceptor as FastifyFile,
  NoFilesInterceptor as FastifyNoFiles,
} from '@nestjs/platform-fastify/multipart'
import { getCurrentTenant, requireTenant, type TraciumTenantOptions } from '@tracium/core'
// A value import: Nest injects constructor parameters by the class that decorator metadata names;
// `import type` would make it `Object` (https://biomejs.dev/linter/rules/use-import-type/).
import { Tenant, TenantExceptionFilter, TenantService, TraciumTenantModule } from '@tracium/nestjs'
import express from 'express'
import { map } from 'rxjs'
import {
  errorBody,
  handlerReads,
  leakTimer,
  passesOn,
  readUpload,
  requireAfterAwait,
  streamEvents,
} from './app-parts.js'
import type { AdapterHarness, Probe, RouterSettings } from './harness.js'
import { holdRequest, tenantGenerator, tenantStream } from './lifecycle-parts.js'
import { configurePeers, peersController, peersProviders } from './nest.peers.js'
import { peersStorage } from './peers-parts.js'

type Reads = Record<string, string | null>
// biome-ignore lint/suspicious/noExplicitAny: Express's req or a FastifyRequest
type AnyRequest = any

const kReads = Symbol('contract reads')
const PROBE = Symbol('probe')
const LIMIT = 5 * 1024 * 1024

/** Reads live on Node's request: Express's req is one, a FastifyRequest has it as `raw`. */
const readsOf = (req: AnyRequest): Reads => (req.raw ?? req)[kReads]
const tick = () => sleep(1)

/** A default-scope service, as apps write them: the tenant via the injected TenantService. */
@Injectable()
export class ContractService {
  constructor(private readonly tenants: TenantService) {}
  async current(): Promise<string | null> {
    await tick()
    return this.tenants.getCurrentTenant()
  }
}

/** A module middleware, mounted by the app module after TraciumTenantModule's. */
@Injectable()
class ReadsMiddleware implements NestMiddleware {
  use(req: AnyRequest, _res: unknown, next: () => void) {
    setTimeout(() => {
      readsOf(req).middleware = getCurrentTenant()
      next()
    }, 1)
  }
}

@Injectable()
class ReadsGuard implements CanActivate {
  async canActivate(context: ExecutionContext) {
    await tick()
    readsOf(context.switchToHttp().getRequest()).guard = getCurrentTenant()
    return true
  }
}

/** Reads before the handler and, in the rxjs pipeline, after it. */
@Injectable()
class ReadsInterceptor implements NestInterceptor {
  async intercept(context: ExecutionContext, next: CallHandler) {
    await tick()
    readsOf(context.switchToHttp().getRequest()).interceptor = getCurrentTenant()
    return next
      .handle()
      .pipe(
        map((body: { reads?: Reads }) =>
          body?.reads
            ? { ...body, reads: { ...body.reads, interceptorAfter: getCurrentTenant() } }
            : body,
        ),
      )
  }
}

/** Runs after the multipart interceptor, once any body is parsed. */
@Injectable()
class AfterBodyInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler) {
    readsOf(context.switchToHttp().getRequest()).afterBody = getCurrentTenant()
    return next.handle()
  }
}

@Injectable()
class ReadsPipe implements PipeTransform<Reads, Promise<Reads>> {
  async transform(reads: Reads) {
    await tick()
    reads.pipe = getCurrentTenant()
    return reads
  }
}

const ReadsParam = createParamDecorator((_data: unknown, context: ExecutionContext) =>
  readsOf(context.switchToHttp().getRequest()),
)

const readHeaders = (host: ArgumentsHost): Record<string, unknown> =>
  host.switchToHttp().getRequest().headers

@Catch()
class ContractFilter implements ExceptionFilter {
  constructor(private readonly adapterHost: HttpAdapterHost) {}
  catch(error: unknown, host: ArgumentsHost) {
    // Nest has no "next filter": an app filter that leaves TenantErrors to Tracium delegates.
    if (passesOn(readHeaders(host), error)) {
      return new TenantExceptionFilter(this.adapterHost).catch(error as never, host)
    }
    const { status, body } = errorBody(error)
    this.adapterHost.httpAdapter.reply(host.switchToHttp().getResponse(), body, status)
  }
}

function contractController(multipart: Type<NestInterceptor>) {
  @Controller()
  class ContractController {
    constructor(
      private readonly service: ContractService,
      private readonly tenants: TenantService,
      @Inject(PROBE) private readonly probe: Probe,
    ) {}

    private async reads(reads: Reads, tenant: string | null) {
      return {
        ...reads,
        ...(await handlerReads()),
        decorator: tenant,
        tenantService: this.tenants.getCurrentTenant(),
        nestService: await this.service.current(),
      }
    }

    @Get('tenant')
    async tenant(
      @ReadsParam(ReadsPipe) reads: Reads,
      @Tenant() tenant: string | null,
      @Req() req: AnyRequest,
    ) {
      return { reads: await this.reads(reads, tenant), requestTenant: req.tenant?.id ?? null }
    }

    @Post('body')
    @UseInterceptors(multipart, AfterBodyInterceptor)
    async body(
      @ReadsParam(ReadsPipe) reads: Reads,
      @Tenant() tenant: string | null,
      @Req() req: AnyRequest,
    ) {
      return {
        reads: await this.reads(reads, tenant),
        requestTenant: req.tenant?.id ?? null,
        body: { note: req.body?.note },
      }
    }

    @Post('upload')
    upload(@Req() req: AnyRequest) {
      // Fastify hands over the stream its octet-stream parser passed through; Express's req is one.
      return readUpload(req.body instanceof Readable ? req.body : req)
    }

    @Get('sse')
    sse(@Res() res: AnyRequest) {
      // A FastifyReply is told the handler answers on the raw response.
      res.hijack?.()
      const raw = res.raw ?? res
      raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' })
      streamEvents(
        (chunk) => raw.write(chunk),
        () => raw.end(),
      )
    }

    @Get('require-sync')
    requireSync() {
      return { tenant: requireTenant() }
    }

    @Get('require-async')
    requireAsync() {
      return requireAfterAwait()
    }

    @Get('throw-sync')
    throwSync() {
      throw new Error('boom')
    }

    @Get('throw-async')
    async throwAsync() {
      await tick()
      throw new Error('boom')
    }

    @Get('leak')
    leak() {
      leakTimer(this.probe)
      return { ok: true }
    }

    @Get('health')
    health() {
      return { health: 'ok', tenant: getCurrentTenant() }
    }

    @Get('t/:tenant/whoami')
    whoami(@Param('tenant') param: string) {
      return { tenant: getCurrentTenant(), param }
    }

    @Get('lifecycle/stream')
    stream() {
      return new StreamableFile(tenantStream(), { type: 'text/plain' })
    }

    @Get('lifecycle/generator')
    generator() {
      return new StreamableFile(tenantGenerator(), { type: 'text/plain' })
    }

    @Get('lifecycle/finish')
    finish(@Res({ passthrough: true }) res: AnyRequest) {
      ;(res.raw ?? res).on('finish', () => this.probe.finish.push(getCurrentTenant()))
      return { ok: true }
    }

    @Get('lifecycle/hold')
    hold() {
      holdRequest(this.probe.held)
      return new Promise(() => {})
    }

    @Get('slow')
    slow() {
      this.probe.slowStarted.push(getCurrentTenant())
      return new Promise(() => {})
    }
  }
  return ContractController
}

function appModule(
  options: TraciumTenantOptions,
  probe: Probe,
  multipart: Type<NestInterceptor>,
  peersFile: Type<NestInterceptor>,
): DynamicModule {
  @Module({})
  class AppModule {
    configure(consumer: MiddlewareConsumer) {
      consumer.apply(ReadsMiddleware).forRoutes('{*path}')
      configurePeers(consumer)
    }
  }
  return {
    module: AppModule,
    imports: [TraciumTenantModule.forRoot(options)],
    controllers: [contractController(multipart), peersController(peersFile)],
    providers: [
      ...peersProviders(probe),
      ContractService,
      { provide: PROBE, useValue: probe },
      { provide: APP_GUARD, useClass: ReadsGuard },
      { provide: APP_INTERCEPTOR, useClass: ReadsInterceptor },
    ],
  }
}

/** What differs between the two platforms. */
const platforms = {
  express: {
    multipart: ExpressNoFiles({ limits: { fieldSize: LIMIT } }),
    // biome-ignore lint/suspicious/noExplicitAny: a multer engine; see peersStorage
    peersFile: ExpressFile('file', { storage: peersStorage as any }),
    routing: { caseSensitive: false, strict: false, decode: false },
    async create(module: DynamicModule, router: RouterSettings): Promise<INestApplication> {
      // Set before Nest mounts anything: Express's router reads them when it is created.
      const instance = express()
      if (router.caseSensitive !== undefined) {
        instance.set('case sensitive routing', router.caseSensitive)
      }
      if (router.strict !== undefined) instance.set('strict routing', router.strict)
      const adapter = new ExpressAdapter(instance)
      const app = await NestFactory.create<NestExpressApplication>(module, adapter, {
        logger: false,
        abortOnError: false,
        forceCloseConnections: true,
      })
      app.use(before)
      // Applied now, so before Nest's module middleware (ours), which app.init() mounts.
      app.useBodyParser('json', { limit: LIMIT })
      app.useBodyParser('urlencoded', { limit: LIMIT, extended: true })
      // peers.contract.ts: text and raw bodies (Fastify parses text/plain itself).
      app.useBodyParser('text')
      app.useBodyParser('raw', { type: 'application/x-peers-raw' })
      return app
    },
  },
  fastify: {
    multipart: FastifyNoFiles({ limits: { fieldSize: LIMIT } }),
    // biome-ignore lint/suspicious/noExplicitAny: a multer engine; see peersStorage
    peersFile: FastifyFile('file', { storage: peersStorage as any }),
    routing: { caseSensitive: true, strict: true, decode: true },
    async create(module: DynamicModule, router: RouterSettings): Promise<INestApplication> {
      const adapter = new FastifyAdapter({
        bodyLimit: LIMIT,
        routerOptions: {
          ...(router.caseSensitive !== undefined && { caseSensitive: router.caseSensitive }),
          ...(router.strict !== undefined && { ignoreTrailingSlash: !router.strict }),
        },
      })
      const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
        logger: false,
        abortOnError: false,
        forceCloseConnections: true,
      })
      app.use(before)
      // Hands the raw stream to the handler, which reads it itself.
      adapter
        .getInstance()
        .addContentTypeParser('application/octet-stream', (_req, payload, done) => {
          done(null, payload)
        })
      // peers.contract.ts: raw bodies as a Buffer.
      adapter
        .getInstance()
        .addContentTypeParser(
          'application/x-peers-raw',
          { parseAs: 'buffer' },
          (_req, body, done) => {
            done(null, body)
          },
        )
      return app
    },
  },
}

/** A middleware applied before TraciumTenantModule's (app.use runs before module middleware). */
function before(req: AnyRequest, _res: unknown, next: () => void) {
  req[kReads] = { before: getCurrentTenant() } satisfies Reads
  next()
}

function nestHarness(name: string, platform: keyof typeof platforms): AdapterHarness {
  const { multipart, peersFile, create, routing } = platforms[platform]
  return {
    name,
    routing,
    seesRouterSettings: true,
    hookPoints: [
      'middleware',
      'guard',
      'interceptor',
      'pipe',
      'decorator',
      'tenantService',
      'nestService',
      'interceptorAfter',
    ],
    async start(options, probe, router = {}) {
      const app = await create(appModule(options, probe, multipart, peersFile), router)
      app.useGlobalFilters(new ContractFilter(app.get(HttpAdapterHost)))
      await app.listen(0, '127.0.0.1')
      return {
        port: (app.getHttpServer().address() as AddressInfo).port,
        close: () => app.close(),
      }
    },
  }
}

export const nestExpressHarness = nestHarness('nest-express', 'express')
export const nestFastifyHarness = nestHarness('nest-fastify', 'fastify')
