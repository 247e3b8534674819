/**
 * The Nest surface users of nestjs-cls and @nestarc/tenancy expect (issue 9): `@SkipTenant()`
 * under a global `required`, `forRootAsync` argument checks, and misuse explained at start-up,
 * on platform-express and platform-fastify over real HTTP.
 */
import type { AddressInfo } from 'node:net'
import {
  Controller,
  type DynamicModule,
  Get,
  type INestApplication,
  Module,
  Post,
  UseInterceptors,
} from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { ExpressAdapter } from '@nestjs/platform-express'
import { FastifyAdapter } from '@nestjs/platform-fastify'
import {
  getCurrentTenant,
  RequireTenant,
  SkipTenant,
  Tenant,
  TenantGuard,
  TenantInterceptor,
  TraciumOptionsError,
  TraciumTenantModule,
  type TraciumTenantOptions,
} from '@tracium/nestjs'
import { afterEach, describe, expect, it } from 'vitest'
import { send } from './client.js'

const platforms = ['express', 'fastify'] as const
type Platform = (typeof platforms)[number]

let app: INestApplication | undefined
afterEach(async () => {
  await app?.close()
  app = undefined
})

async function serve(
  platform: Platform,
  module: DynamicModule | (new () => unknown),
  prefix?: string,
): Promise<number> {
  const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter()
  app = await NestFactory.create(module, adapter, {
    logger: false,
    abortOnError: false,
    forceCloseConnections: true,
  })
  if (prefix) app.setGlobalPrefix(prefix)
  await app.listen(0, '127.0.0.1')
  return (app.getHttpServer().address() as AddressInfo).port
}

@Controller('open')
@SkipTenant()
class OpenController {
  @Get()
  index() {
    return { tenant: getCurrentTenant() }
  }

  @Get(':id')
  one() {
    return { tenant: getCurrentTenant() }
  }
}

@Controller('mixed')
class MixedController {
  @Get('free')
  @SkipTenant()
  free(@Tenant() tenant: string | null) {
    return { tenant }
  }

  @Get('locked')
  locked(@Tenant() tenant: string | null) {
    return { tenant }
  }

  @Post('free')
  postFree() {
    return { tenant: getCurrentTenant() }
  }
}

function skipModule(options: TraciumTenantOptions): DynamicModule {
  @Module({})
  class AppModule {}
  return {
    module: AppModule,
    imports: [TraciumTenantModule.forRoot(options)],
    controllers: [OpenController, MixedController],
  }
}

const MISSING_BODY = {
  type: 'urn:tracium:problem:tenant-missing',
  title: 'Tenant required',
  status: 401,
  detail: 'This request needs a tenant and none was given.',
  code: 'TENANT_MISSING',
}

describe.each(platforms)('@SkipTenant() with required: true (nest-%s)', (platform) => {
  it('skipped routes run without a tenant, and still read one that is sent', async () => {
    const port = await serve(platform, skipModule({ required: true }))
    expect((await send(port, { path: '/open' })).json()).toEqual({ tenant: null })
    expect((await send(port, { path: '/open/42' })).json()).toEqual({ tenant: null })
    expect((await send(port, { path: '/mixed/free' })).json()).toEqual({ tenant: null })
    const sent = await send(port, { path: '/open/42', headers: { 'x-tenant-id': 'acme' } })
    expect(sent.json()).toEqual({ tenant: 'acme' })
  })

  it('other routes keep the 401 problem+json of every adapter, byte for byte', async () => {
    const port = await serve(platform, skipModule({ required: true }))
    for (const init of [{ path: '/mixed/locked' }, { path: '/mixed/free', method: 'POST' }]) {
      const res = await send(port, init)
      expect(res.status).toBe(401)
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(res.json()).toEqual(MISSING_BODY)
    }
    const ok = await send(port, { path: '/mixed/locked', headers: { 'x-tenant-id': 'acme' } })
    expect(ok.json()).toEqual({ tenant: 'acme' })
  })

  it('an invalid tenant is still rejected on a skipped route', async () => {
    const port = await serve(platform, skipModule({ required: true }))
    const res = await send(port, { path: '/open', headers: { 'x-tenant-id': 'a,b' } })
    expect(res.status).toBe(400)
    expect(res.json()).toMatchObject({ code: 'TENANT_INVALID' })
  })

  it('works below a global prefix', async () => {
    const port = await serve(platform, skipModule({ required: true }), 'api')
    expect((await send(port, { path: '/api/open/7' })).json()).toEqual({ tenant: null })
    expect((await send(port, { path: '/api/mixed/locked' })).status).toBe(401)
  })
})

describe('forRootAsync: its arguments are checked with a package message (E3)', () => {
  const bad: Array<[string, unknown, RegExp]> = [
    ['no options', undefined, /needs \{ useFactory/],
    ['no useFactory', {}, /"useFactory" is undefined; give a function/],
    ['a non-function useFactory', { useFactory: { required: true } }, /"useFactory" is an object/],
    [
      'inject not an array',
      { useFactory: () => ({}), inject: 'Config' },
      /"inject" must be an array/,
    ],
    ['imports not an array', { useFactory: () => ({}), imports: {} }, /"imports" must be an array/],
    ['useClass', { useClass: class {} }, /unknown option "useClass".*wrap them in a useFactory/],
  ]
  it.each(bad)('%s: TraciumOptionsError at once', (_name, options, message) => {
    const call = () => TraciumTenantModule.forRootAsync(options as never)
    expect(call).toThrow(TraciumOptionsError)
    expect(call).toThrow(/^@tracium\/nestjs: /)
    expect(call).toThrow(message)
  })

  const badResults: Array<[string, () => unknown, RegExp]> = [
    ['null', () => null, /useFactory returned null; return the options object/],
    ['a string', async () => 'required', /useFactory returned a string/],
    ['bad options', async () => ({ required: 'yes' }), /option "required" must be true or false/],
    ['an unknown option', () => ({ header: 'x-org' }), /unknown option "header"/],
  ]
  it.each(badResults)(
    'a factory returning %s fails start-up with the message',
    async (_n, factory, message) => {
      @Module({ imports: [TraciumTenantModule.forRootAsync({ useFactory: factory as never })] })
      class AppModule {}
      const started = NestFactory.create(AppModule, new ExpressAdapter(), {
        logger: false,
        abortOnError: false,
      })
      await expect(started).rejects.toThrow(TraciumOptionsError)
      await expect(started).rejects.toThrow(/^@tracium\/nestjs: /)
      await expect(started).rejects.toThrow(message)
    },
  )

  it('a good async factory works', async () => {
    @Module({
      imports: [TraciumTenantModule.forRootAsync({ useFactory: async () => ({ required: true }) })],
      controllers: [MixedController],
    })
    class AppModule {}
    const port = await serve('express', AppModule)
    expect((await send(port, { path: '/mixed/locked' })).json()).toEqual(MISSING_BODY)
    expect((await send(port, { path: '/mixed/free' })).json()).toEqual({ tenant: null })
  })
})

describe('misuse without TraciumTenantModule is explained', () => {
  @Controller()
  class Guarded {
    @Get('usage')
    @RequireTenant()
    usage() {
      return {}
    }
  }

  @Controller()
  @UseInterceptors(TenantInterceptor)
  class Intercepted {
    @Get('x')
    x() {
      return {}
    }
  }

  it.each([
    ['@RequireTenant()', Guarded, /TenantGuard \(@RequireTenant\(\)\) needs TraciumTenantModule/],
    ['TenantInterceptor', Intercepted, /TenantInterceptor needs TraciumTenantModule/],
  ])('%s: start-up fails naming the fix', async (_name, controller, message) => {
    @Module({ controllers: [controller] })
    class AppModule {}
    for (const platform of platforms) {
      const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter()
      const started = NestFactory.create(AppModule, adapter, { logger: false, abortOnError: false })
      await expect(started).rejects.toThrow(TraciumOptionsError)
      await expect(started).rejects.toThrow(message)
      await expect(started).rejects.toThrow(/Import TraciumTenantModule\.forRoot\(\)/)
    }
  })

  it('a TenantGuard constructed by hand (app.useGlobalGuards) is not mistaken for misuse', async () => {
    @Module({ imports: [TraciumTenantModule.forRoot()], controllers: [MixedController] })
    class AppModule {}
    app = await NestFactory.create(AppModule, new ExpressAdapter(), { logger: false })
    app.useGlobalGuards(new TenantGuard())
    await app.listen(0, '127.0.0.1')
    const port = (app.getHttpServer().address() as AddressInfo).port
    expect((await send(port, { path: '/mixed/locked' })).status).toBe(401)
    const ok = await send(port, { path: '/mixed/locked', headers: { 'x-tenant-id': 'acme' } })
    expect(ok.json()).toEqual({ tenant: 'acme' })
  })

  it('@Tenant(): one warning at the first request, naming the fix', async () => {
    @Controller()
    class Reads {
      @Get('tenant')
      tenant(@Tenant() tenant: string | null) {
        return { tenant }
      }
    }
    @Module({ controllers: [Reads] })
    class AppModule {}
    const warnings: Error[] = []
    const onWarning = (w: Error) => warnings.push(w)
    process.on('warning', onWarning)
    try {
      const port = await serve('fastify', AppModule)
      const first = send(port, { path: '/tenant', headers: { 'x-tenant-id': 'acme' } })
      const warned = new Promise<void>((resolve) => {
        const listener = (w: Error & { code?: string }) => {
          if (w.code !== 'TRACIUM_NEST_NO_SCOPE') return
          process.off('warning', listener)
          resolve()
        }
        process.on('warning', listener)
      })
      expect((await first).json()).toEqual({ tenant: null })
      await warned
      await send(port, { path: '/tenant' })
      const ours = warnings.filter((w) => (w as { code?: string }).code === 'TRACIUM_NEST_NO_SCOPE')
      expect(ours).toHaveLength(1)
      expect(ours[0]?.message).toMatch(/^@tracium\/nestjs: @Tenant\(\) needs TraciumTenantModule/)
    } finally {
      process.off('warning', onWarning)
    }
  })
})
