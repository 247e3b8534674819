// A user's Nest app on the packed package, the README's way, served on both platforms. The
// TenantService import stays a value import: decorator metadata names it (biome.json).
import 'reflect-metadata'
import type { AddressInfo } from 'node:net'
import { Controller, Get, Injectable, Module } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { ExpressAdapter } from '@nestjs/platform-express'
import { FastifyAdapter } from '@nestjs/platform-fastify'
import { RequireTenant, Tenant, TenantService, TraciumTenantModule } from '@tracium/nestjs'
import type { Request } from 'express'

@Injectable()
class WhoService {
  constructor(private readonly tenants: TenantService) {}
  tenant() {
    return this.tenants.getCurrentTenant()
  }
}

@Controller()
class WhoController {
  constructor(private readonly who: WhoService) {}

  @Get('who')
  @RequireTenant()
  get(@Tenant() tenant: string) {
    return { tenant: this.who.tenant(), same: tenant }
  }
}

@Module({
  imports: [TraciumTenantModule.forRoot()],
  controllers: [WhoController],
  providers: [WhoService],
})
class AppModule {}

// The package's augmentation of Express's Request.
export const tenantOf = (req: Request) => req.tenant?.id

const ports: Record<string, number> = {}
for (const [name, adapter] of [
  ['nest-express', new ExpressAdapter()],
  ['nest-fastify', new FastifyAdapter()],
] as const) {
  const app = await NestFactory.create(AppModule, adapter, { logger: false })
  await app.listen(0, '127.0.0.1')
  ports[name] = (app.getHttpServer().address() as AddressInfo).port
}
console.log(`READY ${JSON.stringify(ports)}`)
