/**
 * @tracium/nestjs outside HTTP (issue 9): TenantInterceptor gives WebSocket gateways
 * (platform-ws, a real `ws` client) and a TCP microservice (a real ClientProxy) a tenant scope per
 * message, resolved by the module's resolver from the handshake or the packet metadata.
 */
import type { IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { Controller, type INestApplication, Injectable, UseInterceptors } from '@nestjs/common'
import { APP_INTERCEPTOR, NestFactory } from '@nestjs/core'
import {
  type ClientProxy,
  ClientProxyFactory,
  MessagePattern,
  type MicroserviceOptions,
  Payload,
  Transport,
} from '@nestjs/microservices'
import { WsAdapter } from '@nestjs/platform-ws'
import { type OnGatewayConnection, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets'
import {
  fromJwt,
  fromQuery,
  getCurrentTenant,
  injectTenant,
  rememberHandshake,
  SkipTenant,
  TenantInterceptor,
  TenantService,
  TraciumTenantModule,
  type TraciumTenantOptions,
  UseTenantScope,
} from '@tracium/nestjs'
import { SignJWT } from 'jose'
import { delay, firstValueFrom, map, of } from 'rxjs'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'

const SECRET = new TextEncoder().encode('a-secret-of-at-least-32-bytes-long!!')

/** A default-scope service, read after an await. */
@Injectable()
class Owner {
  constructor(private readonly tenants: TenantService) {}
  async read(ms: number) {
    await sleep(ms)
    return this.tenants.getCurrentTenant()
  }
}

@WebSocketGateway({ path: '/ws' })
@UseTenantScope()
class ChatGateway implements OnGatewayConnection {
  constructor(private readonly owner: Owner) {}

  handleConnection(client: WebSocket, request: IncomingMessage) {
    rememberHandshake(client, request)
  }

  @SubscribeMessage('who')
  async who(_client: unknown, data: { id: number; wait: number }) {
    const handler = getCurrentTenant()
    const service = await this.owner.read(data.wait)
    return of({ event: 'who', data: { id: data.id, handler, service } }).pipe(
      delay(2),
      map((reply) => ({ ...reply, data: { ...reply.data, operator: getCurrentTenant() } })),
    )
  }

  @SubscribeMessage('open')
  @SkipTenant()
  open() {
    return { event: 'open', data: { tenant: getCurrentTenant() } }
  }
}

/** Forgets rememberHandshake(): the interceptor cannot see the handshake and says so. */
@WebSocketGateway({ path: '/forgetful' })
@UseTenantScope()
class ForgetfulGateway {
  @SubscribeMessage('who')
  who() {
    return { event: 'who', data: { tenant: getCurrentTenant() } }
  }
}

@Controller()
@UseInterceptors(TenantInterceptor)
class RpcController {
  constructor(private readonly owner: Owner) {}

  @MessagePattern('who')
  async who(@Payload() data: { id: number; wait: number }) {
    const handler = getCurrentTenant()
    const service = await this.owner.read(data.wait)
    // rxjs operators after the handler's value, after a timer, keep the tenant.
    return of({ id: data.id, handler, service }).pipe(
      delay(2),
      map((reply) => ({ ...reply, operator: getCurrentTenant() })),
    )
  }
}

/** The same handler, with the interceptor mounted globally instead (APP_INTERCEPTOR). */
@Controller()
class GlobalRpcController {
  @MessagePattern('who')
  who() {
    return { handler: getCurrentTenant() }
  }
}

let app: INestApplication | undefined
let client: ClientProxy | undefined
afterEach(async () => {
  await client?.close()
  await app?.close()
  app = undefined
  client = undefined
})

function moduleWith(options: TraciumTenantOptions, kind: 'ws' | 'rpc' | 'rpc-global') {
  class AppModule {}
  return {
    module: AppModule,
    imports: [TraciumTenantModule.forRoot(options)],
    providers:
      kind === 'ws'
        ? [Owner, ChatGateway, ForgetfulGateway]
        : kind === 'rpc'
          ? [Owner]
          : [{ provide: APP_INTERCEPTOR, useClass: TenantInterceptor }],
    controllers:
      kind === 'rpc' ? [RpcController] : kind === 'rpc-global' ? [GlobalRpcController] : [],
  }
}

async function startWs(options: TraciumTenantOptions): Promise<number> {
  app = await NestFactory.create(moduleWith(options, 'ws'), { logger: false, abortOnError: false })
  app.useWebSocketAdapter(new WsAdapter(app))
  await app.listen(0, '127.0.0.1')
  return (app.getHttpServer().address() as AddressInfo).port
}

/** Opens a client and collects every message it receives. */
async function connect(
  port: number,
  headers: Record<string, string> = {},
  query = '',
  path = '/ws',
) {
  const socket = new WebSocket(`ws://127.0.0.1:${port}${path}${query}`, { headers })
  const received: Array<{ event: string; data: Record<string, unknown> }> = []
  const waiters: Array<() => void> = []
  socket.on('message', (raw) => {
    received.push(JSON.parse(String(raw)))
    for (const w of waiters.splice(0)) w()
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve())
    socket.once('error', reject)
  })
  return {
    socket,
    send: (event: string, data: unknown) => socket.send(JSON.stringify({ event, data })),
    async next(count = 1) {
      while (received.length < count) await new Promise<void>((r) => waiters.push(r))
      return received.splice(0, count)
    },
  }
}

describe('WebSocket gateway (platform-ws) with TenantInterceptor', () => {
  it('reads the tenant of the handshake header in the handler and in a service after an await', async () => {
    const port = await startWs({})
    const ws = await connect(port, { 'x-tenant-id': 'acme' })
    ws.send('who', { id: 1, wait: 5 })
    const [reply] = await ws.next()
    expect(reply).toEqual({
      event: 'who',
      data: { id: 1, handler: 'acme', service: 'acme', operator: 'acme' },
    })
    ws.socket.close()
  })

  it('concurrent messages of clients of different tenants never mix', async () => {
    const port = await startWs({})
    const clients = await Promise.all(
      Array.from({ length: 8 }, (_, i) => connect(port, { 'x-tenant-id': `tenant-${i}` })),
    )
    // Every client sends 10 messages at once; each waits a different time, so they interleave.
    clients.forEach((c, i) => {
      for (let n = 0; n < 10; n++) c.send('who', { id: n, wait: (n * 7 + i * 3) % 11 })
    })
    const replies = await Promise.all(clients.map((c) => c.next(10)))
    replies.forEach((list, i) => {
      expect(list).toHaveLength(10)
      for (const { data } of list) {
        expect(data).toMatchObject({
          handler: `tenant-${i}`,
          service: `tenant-${i}`,
          operator: `tenant-${i}`,
        })
      }
    })
    for (const c of clients) c.socket.close()
  })

  it('a token in the handshake Authorization: verified; a forged one is TOKEN_INVALID to the client', async () => {
    const port = await startWs({ resolve: fromJwt({ secret: SECRET, claim: 'org' }) })
    const token = await new SignJWT({ org: 'org-7' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(SECRET)
    const good = await connect(port, { authorization: `Bearer ${token}` })
    good.send('who', { id: 1, wait: 1 })
    expect((await good.next())[0]?.data).toMatchObject({ handler: 'org-7', service: 'org-7' })
    const forged = `${token.slice(0, -4)}AAAA`
    const bad = await connect(port, { authorization: `Bearer ${forged}` })
    bad.send('who', { id: 2, wait: 1 })
    const [answer] = await bad.next()
    expect(answer).toEqual({
      event: 'exception',
      data: expect.objectContaining({ code: 'TOKEN_INVALID', status: 401 }),
    })
    expect(JSON.stringify(answer)).not.toContain(forged)
    // The connection survives: the next message is answered (and rejected) again.
    bad.send('who', { id: 3, wait: 1 })
    expect((await bad.next())[0]?.data).toMatchObject({ code: 'TOKEN_INVALID' })
    good.socket.close()
    bad.socket.close()
  })

  it('an invalid tenant is TENANT_INVALID; required without one is TENANT_MISSING; @SkipTenant() opts out', async () => {
    const port = await startWs({ resolve: fromQuery('tenant'), required: true })
    const invalid = await connect(port, {}, '?tenant=%20padded')
    invalid.send('who', { id: 1, wait: 1 })
    expect((await invalid.next())[0]).toEqual({
      event: 'exception',
      data: expect.objectContaining({ code: 'TENANT_INVALID', status: 400 }),
    })
    const none = await connect(port)
    none.send('who', { id: 1, wait: 1 })
    expect((await none.next())[0]?.data).toMatchObject({ code: 'TENANT_MISSING', status: 401 })
    none.send('open', {})
    expect((await none.next())[0]).toEqual({ event: 'open', data: { tenant: null } })
    const query = await connect(port, {}, '?tenant=acme')
    query.send('who', { id: 1, wait: 1 })
    expect((await query.next())[0]?.data).toMatchObject({ handler: 'acme' })
    for (const c of [invalid, none, query]) c.socket.close()
  })
})

describe('WebSocket gateway without rememberHandshake()', () => {
  it('reads no tenant and warns once, naming the fix', async () => {
    const port = await startWs({})
    const warned = new Promise<Error>((resolve) => {
      const listener = (w: Error & { code?: string }) => {
        if (w.code !== 'TRACIUM_NEST_NO_HANDSHAKE') return
        process.off('warning', listener)
        resolve(w)
      }
      process.on('warning', listener)
    })
    const ws = await connect(port, { 'x-tenant-id': 'acme' }, '', '/forgetful')
    ws.send('who', {})
    expect((await ws.next())[0]).toEqual({ event: 'who', data: { tenant: null } })
    const warning = await warned
    expect(warning).toMatchObject({ code: 'TRACIUM_NEST_NO_HANDSHAKE' })
    expect(warning.message).toMatch(/rememberHandshake\(client, request\)/)
    ws.socket.close()
  })
})

async function startRpc(
  options: TraciumTenantOptions,
  kind: 'rpc' | 'rpc-global' = 'rpc',
): Promise<number> {
  const micro = await NestFactory.createMicroservice<MicroserviceOptions>(
    moduleWith(options, kind),
    { transport: Transport.TCP, options: { host: '127.0.0.1', port: 0 }, logger: false },
  )
  await micro.listen()
  app = micro as unknown as INestApplication
  const address = (micro as unknown as { unwrap<T>(): T }).unwrap<{ address(): AddressInfo }>()
  return address.address().port
}

function tcpClient(port: number, metadata: (tenant: string | undefined) => Record<string, string>) {
  const proxy = ClientProxyFactory.create({
    transport: Transport.TCP,
    options: { host: '127.0.0.1', port },
  })
  client = proxy
  return (tenant: string | undefined, data: unknown) => {
    proxy.setOnDispatchHook((packet) => {
      packet.metadata = metadata(tenant)
    })
    return firstValueFrom(proxy.send('who', data))
  }
}

describe('TCP microservice with TenantInterceptor', () => {
  it('reads the tenant from the packet metadata (injectTenant) in the handler and a service', async () => {
    const port = await startRpc({})
    const send = tcpClient(port, (t) => injectTenant({}, t ?? null) as Record<string, string>)
    expect(await send('acme', { id: 1, wait: 5 })).toEqual({
      id: 1,
      handler: 'acme',
      service: 'acme',
      operator: 'acme',
    })
  })

  it('concurrent messages of different tenants never mix', async () => {
    const port = await startRpc({})
    const proxy = ClientProxyFactory.create({
      transport: Transport.TCP,
      options: { host: '127.0.0.1', port },
    })
    client = proxy
    // One hook, the tenant per packet taken from the payload the test sends.
    proxy.setOnDispatchHook((packet) => {
      packet.metadata = { 'x-tenant-id': `tenant-${(packet.data as { id: number }).id % 7}` }
    })
    const replies = await Promise.all(
      Array.from({ length: 70 }, (_, id) =>
        firstValueFrom(proxy.send('who', { id, wait: (id * 5) % 9 })),
      ),
    )
    for (const reply of replies as Array<{ id: number; handler: string; service: string }>) {
      expect(reply).toEqual({
        id: reply.id,
        handler: `tenant-${reply.id % 7}`,
        service: `tenant-${reply.id % 7}`,
        operator: `tenant-${reply.id % 7}`,
      })
    }
  })

  it('an invalid or duplicated tenant, or none with required, reaches the client as a problem error', async () => {
    const port = await startRpc({ required: true })
    const send = tcpClient(
      port,
      (t): Record<string, string> => (t === undefined ? {} : { 'X-Tenant-ID': t }),
    )
    await expect(send('a,b', { id: 1, wait: 1 })).rejects.toMatchObject({
      code: 'TENANT_INVALID',
      status: 400,
    })
    await expect(send(undefined, { id: 1, wait: 1 })).rejects.toMatchObject({
      code: 'TENANT_MISSING',
      status: 401,
      type: 'urn:tracium:problem:tenant-missing',
    })
    const dup = tcpClient(port, () => ({ 'x-tenant-id': 'acme', 'X-Tenant-Id': 'evil' }))
    await expect(dup(undefined, { id: 1, wait: 1 })).rejects.toMatchObject({
      code: 'TENANT_INVALID',
    })
    expect(await send('acme', { id: 2, wait: 1 })).toMatchObject({ handler: 'acme' })
  })

  it('a global APP_INTERCEPTOR mounts it for every handler, and its errors reach the client', async () => {
    const port = await startRpc({ required: true }, 'rpc-global')
    const send = tcpClient(
      port,
      (t): Record<string, string> => (t === undefined ? {} : { 'x-tenant-id': t }),
    )
    expect(await send('acme', {})).toEqual({ handler: 'acme' })
    await expect(send(undefined, {})).rejects.toMatchObject({ code: 'TENANT_MISSING' })
  })
})
