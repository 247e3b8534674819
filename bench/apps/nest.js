// The Nest benchmark apps, for both platforms. Plain JavaScript, so decorators are applied as
// functions (what TypeScript compiles `@Get()` into).
import 'reflect-metadata'
import { Controller, Get, Module, Req } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { ExpressAdapter } from '@nestjs/platform-express'
import { FastifyAdapter } from '@nestjs/platform-fastify'
import { fromJwt, getCurrentTenant, TraciumTenantModule } from '@tracium/nestjs'
import { ClsModule, ClsServiceManager } from 'nestjs-cls'
import { floorStorage, JWT_SECRET, routeBody } from './shared.js'

// Nest middleware gets Node's request on both platforms.
const header = (req) => (req.raw ?? req).headers['x-tenant-id']
const ALL_ROUTES = '{*path}'

/** variant → [module imports, module middleware, read the tenant in the route] */
export const variants = {
  bare: [[], null, null],
  // The floor in Nest's own idiom: a module middleware for every route, as adapters mount.
  floor: [
    [],
    (req, _res, next) => floorStorage.run(header(req), next),
    () => floorStorage.getStore(),
  ],
  'tracium-header': [[TraciumTenantModule.forRoot({})], null, getCurrentTenant],
  'tracium-jwt': [
    [TraciumTenantModule.forRoot({ resolve: fromJwt({ secret: JWT_SECRET }) })],
    null,
    getCurrentTenant,
  ],
  'nestjs-cls': [
    [
      ClsModule.forRoot({
        global: true,
        middleware: { mount: true, setup: (cls, req) => cls.set('tenant', header(req)) },
      }),
    ],
    null,
    () => ClsServiceManager.getClsService().get('tenant'),
  ],
}

export function createNestApp(platform, variant) {
  const [imports, middleware, read] = variants[variant]

  class BenchController {
    bench(req) {
      return routeBody(read ?? (() => header(req)))
    }
  }
  Req()(BenchController.prototype, 'bench', 0)
  const descriptor = Object.getOwnPropertyDescriptor(BenchController.prototype, 'bench')
  Reflect.decorate([Get('bench')], BenchController.prototype, 'bench', descriptor)
  Controller()(BenchController)

  class AppModule {
    configure(consumer) {
      if (middleware) consumer.apply(middleware).forRoutes(ALL_ROUTES)
    }
  }
  Module({ imports, controllers: [BenchController] })(AppModule)

  return {
    async listen(port) {
      const adapter = platform === 'fastify' ? new FastifyAdapter() : new ExpressAdapter()
      const app = await NestFactory.create(AppModule, adapter, {
        logger: false,
        abortOnError: false,
      })
      await app.listen(port, '127.0.0.1')
      return app.getHttpServer()
    },
  }
}
