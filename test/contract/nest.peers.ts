/** The `/peers/...` routes (peers-parts.ts) on NestJS 12, shared by both platforms. */
import { Readable } from 'node:stream'
import {
  type CallHandler,
  type CanActivate,
  Controller,
  type ExecutionContext,
  Get,
  HttpCode,
  Inject,
  Injectable,
  type MiddlewareConsumer,
  type NestInterceptor,
  type NestMiddleware,
  Post,
  type Provider,
  Query,
  Req,
  StreamableFile,
  type Type,
  UploadedFile,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common'
import { getCurrentTenant } from '@tracium/core'
import type { Probe } from './harness.js'
import {
  abortRoute,
  barrierRoute,
  bodyRoute,
  failAfterAwait,
  failInStream,
  fileRoute,
  keepAliveRoute,
  middlewareSetRoute,
  nestedRoute,
  type PeersState,
  type PeersStoredFile,
  peersState,
  rejectFromCallback,
  setFromBody,
  tenantGenerator,
  tenantStream,
} from './peers-parts.js'

// biome-ignore lint/suspicious/noExplicitAny: Express's req or a FastifyRequest
type AnyRequest = any

const PEERS_STATE = Symbol('peers state')
/** Reads recorded by enhancers, keyed by Node's request (a FastifyRequest has it as `raw`). */
const reads = new WeakMap<object, Record<string, string | null>>()
const readsOf = (req: AnyRequest) => {
  const raw = req.raw ?? req
  let entry = reads.get(raw)
  if (entry === undefined) {
    entry = {}
    reads.set(raw, entry)
  }
  return entry
}

/** `POST /peers/middleware-set`: guards run once the body is parsed, on both platforms. */
@Injectable()
class SetTenantGuard implements CanActivate {
  canActivate(context: ExecutionContext) {
    const req = context.switchToHttp().getRequest()
    readsOf(req).inMiddleware = setFromBody(req.body)
    return true
  }
}

/** Runs after the body was parsed (platform parsers run before interceptors). */
@Injectable()
class AfterParseInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler) {
    readsOf(context.switchToHttp().getRequest()).afterParse = getCurrentTenant()
    return next.handle()
  }
}

@Injectable()
class FailAfterAwaitMiddleware implements NestMiddleware {
  async use(_req: unknown, _res: unknown, _next: () => void) {
    await failAfterAwait()
  }
}

/** The peers controller, with the platform's single-file upload interceptor. */
export function peersController(fileInterceptor: Type<NestInterceptor>): Type<unknown> {
  @Controller('peers')
  class PeersController {
    constructor(@Inject(PEERS_STATE) private readonly state: PeersState) {}

    @Get('barrier')
    async barrier(@Query('key') key: string, @Query('set') set?: string) {
      return { tenants: await barrierRoute(this.state, key, set) }
    }

    @Post('middleware-set')
    @HttpCode(200)
    @UseGuards(SetTenantGuard)
    async middlewareSet(@Query('key') key: string, @Req() req: AnyRequest) {
      return {
        tenants: await middlewareSetRoute(this.state, key, readsOf(req).inMiddleware ?? null),
      }
    }

    @Post('body/:kind')
    @HttpCode(200)
    @UseInterceptors(AfterParseInterceptor)
    body(@Req() req: AnyRequest) {
      return bodyRoute(req.body, readsOf(req).afterParse ?? null)
    }

    @Post('file')
    @HttpCode(200)
    @UseInterceptors(fileInterceptor)
    file(@UploadedFile() file: PeersStoredFile | undefined, @Req() req: AnyRequest) {
      return fileRoute(
        req.body?.note,
        file && { bytes: file.size, chunkTenants: file.chunkTenants },
      )
    }

    @Get('stream')
    stream(@Query('key') key: string) {
      return new StreamableFile(tenantStream(this.state, key), { type: 'text/plain' })
    }

    @Get('generator')
    generator() {
      return new StreamableFile(tenantGenerator(), { type: 'text/plain' })
    }

    @Get('error/middleware-await')
    unreachable() {
      return { unreachable: true }
    }

    @Get('error/callback-reject')
    callbackReject() {
      return rejectFromCallback()
    }

    @Get('error/stream')
    streamError() {
      return failInStream()
    }

    @Get('keepalive')
    async keepAlive(@Query('set') set?: string) {
      return { tenants: await keepAliveRoute(set) }
    }

    @Get('nested')
    async nested() {
      return { tenants: await nestedRoute() }
    }

    @Post('abort')
    abort(@Req() req: AnyRequest) {
      // Fastify hands over the stream its octet-stream parser passed through; Express's req is one.
      abortRoute(this.state, req.body instanceof Readable ? req.body : req)
      return new Promise(() => {})
    }
  }
  return PeersController
}

/** The providers the peers controller needs. */
export function peersProviders(probe: Probe): Provider[] {
  return [{ provide: PEERS_STATE, useValue: peersState(probe) }]
}

/** Module middleware of the peers routes; call from the app module's `configure()`. */
export function configurePeers(consumer: MiddlewareConsumer): void {
  consumer.apply(FailAfterAwaitMiddleware).forRoutes('peers/error/middleware-await')
}
