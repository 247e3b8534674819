import http from 'node:http'
import { describe, expect, it } from 'vitest'
import * as tracium from '../src/index.js'
import { routeAgentName } from '../src/request-traces.js'
import { onCleanup, ticks } from './helpers.js'
import { request, serveWithScope } from './helpers-http.js'

/** `tracium.trace()` with a memory exporter; off again after the test. */
function traceRequests(options: tracium.TraceOptions = {}): tracium.MemoryExporter {
  const memory = tracium.memoryExporter()
  tracium.trace({ ...options, exporter: memory })
  onCleanup(() => tracium.shutdown())
  return memory
}

const routes = (url: string) => (url.startsWith('/users/') ? '/users/:id' : undefined)
// Most tests name requests by path: as if every path were a route of its own.
const everyPath = (url: string) => url.split('?')[0]
const serve: typeof serveWithScope = (handler, routeOf = everyPath) =>
  serveWithScope(handler, routeOf)

describe('trace(): one trace per request, from core diagnostics events', () => {
  it('names the trace by route, records tenant, tenant source, status and path', async () => {
    const memory = traceRequests({ defaultTags: ['prod'], defaultMetadata: { service: 'api' } })
    const app = await serve((_req, res) => res.end('ok'), routes)
    await request(app.port, { path: '/users/42?token=secret', headers: { 'x-tenant-id': 'acme' } })
    await app.idle()
    expect(memory.traces).toHaveLength(1)
    expect(memory.traces[0]).toMatchObject({
      agentName: 'users-id',
      tenantId: 'acme',
      status: 'completed',
      tags: ['prod', '@http'],
      metadata: {
        service: 'api',
        http: {
          method: 'GET',
          path: '/users/42',
          route: '/users/:id',
          statusCode: 200,
          aborted: false,
          tenantSource: 'header:x-tenant-id',
        },
      },
    })
    expect(JSON.stringify(memory.traces[0])).not.toContain('secret')
  })

  it('a request no route matched is `unmatched`, whatever its path (no agent per path)', async () => {
    const memory = traceRequests()
    const app = await serve((_req, res) => res.end(), routes)
    await request(app.port, { path: '/v1/chat/completions' })
    await request(app.port, { path: '/wp-login.php?x=1' })
    await request(app.port, { path: '/users/7' })
    await app.idle()
    expect(memory.traces.map((t) => [t.agentName, t.tenantId])).toEqual([
      [tracium.UNMATCHED_AGENT, null],
      ['unmatched', null],
      ['users-id', null],
    ])
  })

  it('spans in the handler belong to the request trace, which starts with the request', async () => {
    const memory = traceRequests()
    const app = await serve(async (_req, res) => {
      await ticks(2)
      const current = tracium.currentTrace()
      await tracium.span({ spanType: 'llm', name: 'chat' }, async (span) => {
        await ticks(1)
        await tracium.span({ spanType: 'tool', name: 'lookup' }, () => ticks(1))
        span.setTokenUsage({ inputTokens: 7, outputTokens: 2 })
      })
      res.end(String(current === tracium.currentTrace()))
    })
    const res = await request(app.port, { path: '/chat', headers: { 'x-tenant-id': 'acme' } })
    expect(res.body).toBe('true')
    await app.idle()
    const [trace] = memory.traces
    expect(trace?.spans.map((s) => [s.name, s.tenantId])).toEqual([
      ['chat', 'acme'],
      ['lookup', 'acme'],
    ])
    expect(trace?.spans[1]?.parentSpanId).toBe(trace?.spans[0]?.id)
    expect(trace).toMatchObject({ inputTokens: 7, outputTokens: 2 })
    // Started lazily at the first span, but dated from the request's start.
    expect(trace!.startedAt <= trace!.spans[0]!.startedAt).toBe(true)
  })

  it('a trace begun at the close has the record of one begun inside the request', async () => {
    // Begun at the close, with no span exporter, the record is written without a Trace
    // (request-record.ts): it must be the record a Trace gives, defaults and key order included.
    const memory = traceRequests({
      defaultModelId: 'gpt-4o',
      defaultVersion: '1.2',
      defaultTags: ['prod'],
      defaultMetadata: { service: 'api' },
    })
    const app = await serve((req, res) => {
      if (req.url === '/lazy') tracium.currentTrace() // begins the trace inside the request
      res.end()
    }, routes)
    for (const path of ['/lazy', '/users/1', '/lazy', '/users/2']) {
      await request(app.port, { path, headers: { 'x-tenant-id': 'acme' } })
    }
    await app.idle()
    expect(memory.traces).toHaveLength(4)
    const ids = memory.traces.map((t) => t.id)
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/) // OpenTelemetry's trace ids
    expect(new Set(ids).size).toBe(4)
    const shape = ({
      id,
      startedAt,
      endedAt,
      durationMs,
      agentName,
      ...rest
    }: tracium.TraceRecord) => {
      const { path, route, ...http } = rest.metadata.http as Record<string, unknown>
      return { ...rest, metadata: { ...rest.metadata, http } }
    }
    const [lazy, atClose] = memory.traces
    expect(lazy?.agentName).toBe('unmatched')
    expect(atClose?.agentName).toBe('users-id')
    expect(shape(atClose!)).toEqual(shape(lazy!))
    expect(Object.keys(atClose!)).toEqual(Object.keys(lazy!))
    expect(Object.keys(atClose!.metadata)).toEqual(Object.keys(lazy!.metadata))
    expect(atClose).toMatchObject({
      tenantId: 'acme',
      status: 'completed',
      modelId: 'gpt-4o',
      version: '1.2',
      tags: ['prod', '@http'],
      metadata: { service: 'api' },
    })
  })

  it("a trace started lazily inside withTenant(other) still carries the request's tenant", async () => {
    const memory = traceRequests()
    const app = await serve(async (_req, res) => {
      await tracium.withTenant('globex', () =>
        tracium.span({ spanType: 'tool', name: 'x' }, () => ticks(1)),
      )
      res.end()
    })
    await request(app.port, { path: '/chat', headers: { 'x-tenant-id': 'acme' } })
    await app.idle()
    const [trace] = memory.traces
    expect(trace?.tenantId).toBe('acme')
    expect(trace?.spans[0]?.tenantId).toBe('globex') // the span records the tenant it ran for
  })

  it('fails the trace on a 5xx status, a failed span, or an aborted request', async () => {
    const memory = traceRequests()
    let hanging: () => void = () => {}
    const received = new Promise<void>((resolve) => {
      hanging = resolve
    })
    const app = await serve((req, res) => {
      if (req.url === '/error') {
        res.statusCode = 503
        res.end()
      } else if (req.url === '/bad-span') {
        try {
          tracium.span({ spanType: 'tool' }, () => {
            throw new Error('crm down')
          })
        } catch {
          res.end('degraded')
        }
      } else if (req.url === '/not-found') {
        res.statusCode = 404
        res.end()
      } else {
        hanging() // /hang never answers; the client gives up
      }
    })
    await request(app.port, { path: '/error' })
    await request(app.port, { path: '/bad-span' })
    await request(app.port, { path: '/not-found' })
    const req = http.get({ host: '127.0.0.1', port: app.port, path: '/hang' })
    req.on('error', () => {})
    await received
    req.destroy()
    await app.idle()
    expect(memory.traces.map((t) => [t.agentName, t.status, t.error])).toEqual([
      ['error', 'failed', 'HTTP 503'],
      ['bad-span', 'failed', 'One or more spans in this trace failed'],
      ['not-found', 'completed', null],
      [
        'hang',
        'failed',
        'Request aborted: the client closed the connection before the response finished',
      ],
    ])
  })

  it('keep-alive: a request without a tenant after one with a tenant has none', async () => {
    const memory = traceRequests()
    const app = await serve((_req, res) => setImmediate(() => res.end()))
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    onCleanup(() => agent.destroy())
    await request(app.port, { agent, headers: { 'x-tenant-id': 'tenant-a' } })
    const second = await request(app.port, { agent })
    await app.idle()
    expect(second.reused).toBe(true)
    expect(memory.traces.map((t) => t.tenantId)).toEqual(['tenant-a', null])
  })

  it('concurrent requests of many tenants keep their own trace, tenant and spans', async () => {
    const memory = traceRequests()
    const app = await serve(async (req, res) => {
      const n = Number(req.url?.slice(1))
      await ticks(n % 4)
      await tracium.span({ spanType: 'llm', name: `call-${n}` }, () => ticks((n * 3) % 5))
      res.end()
    })
    await Promise.all(
      Array.from({ length: 30 }, (_, n) =>
        request(app.port, { path: `/${n}`, headers: { 'x-tenant-id': `tenant-${n % 7}` } }),
      ),
    )
    await app.idle()
    expect(memory.traces).toHaveLength(30)
    for (const trace of memory.traces) {
      const n = Number(trace.agentName)
      expect(trace.tenantId).toBe(`tenant-${n % 7}`)
      expect(trace.spans.map((s) => [s.name, s.tenantId])).toEqual([
        [`call-${n}`, `tenant-${n % 7}`],
      ])
    }
  })

  it('onlyWhenUsed: requests that never touch tracing leave no trace', async () => {
    const memory = traceRequests({ onlyWhenUsed: true })
    const app = await serve((req, res) => {
      if (req.url === '/chat') tracium.span({ spanType: 'llm' }, () => {})
      res.end()
    })
    await request(app.port, { path: '/health' })
    await request(app.port, { path: '/chat' })
    await app.idle()
    expect(memory.traces.map((t) => t.agentName)).toEqual(['chat'])
  })

  it('a trace the handler starts itself wins over the request trace inside its fn', async () => {
    const memory = traceRequests()
    const app = await serve((_req, res) => {
      tracium.startTrace({ agentName: 'inner-agent' }, () => {
        tracium.span({ spanType: 'plan' }, () => {})
      })
      res.end()
    })
    await request(app.port, { path: '/plan', headers: { 'x-tenant-id': 'acme' } })
    await app.idle()
    expect(memory.traces.map((t) => [t.agentName, t.tenantId, t.spans.length])).toEqual([
      ['inner-agent', 'acme', 1],
      ['plan', 'acme', 0],
    ])
  })

  it('S5: a trace that ends after the response (a stream) keeps its tenant', async () => {
    const memory = traceRequests()
    let finishLater: () => void = () => {}
    const app = await serve((_req, res) => {
      const stream = tracium.startTrace({ agentName: 'stream' })
      finishLater = () => stream.end()
      res.end('first chunk')
    })
    await request(app.port, { path: '/stream', headers: { 'x-tenant-id': 'acme' } })
    await app.idle()
    finishLater()
    expect(memory.traces.map((t) => [t.agentName, t.tenantId])).toEqual([
      ['stream', 'acme'], // the request trace ended at close, the stream after it
      ['stream', 'acme'],
    ])
  })

  it('after the request closed, code left in its context has no current trace', async () => {
    traceRequests()
    let late: (() => unknown) | undefined
    const app = await serve((_req, res) => {
      const timer = setInterval(() => {}, 1000)
      onCleanup(() => clearInterval(timer))
      late = () => tracium.currentTrace()
      res.end()
    })
    await request(app.port, { headers: { 'x-tenant-id': 'acme' } })
    await app.idle()
    expect(late?.()).toBeNull()
  })

  it('shutdown() stops request traces', async () => {
    const memory = traceRequests()
    const app = await serve((_req, res) => res.end())
    await request(app.port)
    await app.idle()
    await tracium.shutdown()
    await request(app.port)
    await app.idle()
    expect(memory.traces).toHaveLength(1)
  })
})

describe('routeAgentName', () => {
  it.each([
    ['/users/:id', 'users-id'],
    ['/users/{id}/orders', 'users-id-orders'],
    ['/', 'index'],
    ['', 'index'],
    ['/t/acme/chat?x=1#frag', 't-acme-chat'],
    ['/files/*', 'files-'],
    ['/api/v1.2/ping/', 'api-v1.2-ping'],
  ])('%j → %j', (route, name) => {
    expect(routeAgentName(route)).toBe(name)
  })

  it('stays a valid agent name for any path', () => {
    const long = `/${'segment/'.repeat(100)}`
    expect(routeAgentName(long)).toHaveLength(256)
    expect(routeAgentName(long)).toMatch(/^[A-Za-z0-9 ._-]+$/)
  })
})
