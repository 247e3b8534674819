import { context } from '@opentelemetry/api'
import { suppressTracing } from '@opentelemetry/core'
import { withTenant } from '@tracium/core'
import { describe, expect, it } from 'vitest'
import * as tracium from '../src/index.js'
import { onCleanup, useMemory } from './helpers.js'
import { request, serveWithScope } from './helpers-http.js'

/** Runs `fn` where OpenTelemetry tracing is suppressed, as exporters and health checks do. */
const suppressed = <T>(fn: () => T): T => context.with(suppressTracing(context.active()), fn)

describe("OpenTelemetry's suppressTracing() does not lose Tracium traces", () => {
  it('startTrace() and its spans are recorded, with real ids', async () => {
    const memory = useMemory()
    await withTenant('acme', () =>
      suppressed(() =>
        tracium.startTrace({ agentName: 'health' }, (trace) =>
          trace.span({ spanType: 'tool', name: 'ping' }, async () => 'pong'),
        ),
      ),
    )
    expect(memory.traces).toHaveLength(1)
    const [record] = memory.traces
    expect(record).toMatchObject({ agentName: 'health', tenantId: 'acme', status: 'completed' })
    expect(record!.spans.map((s) => s.name)).toEqual(['ping'])
    // A suppressed OpenTelemetry span has the invalid (all-zero) trace id.
    expect(record!.id).toMatch(/^(?!0+$)[0-9a-f]{32}$/)
    expect(record!.spans[0]!.traceId).toBe(record!.id)
  })

  it('a request trace under suppression is recorded whether or not its handler made a span', async () => {
    const memory = tracium.memoryExporter()
    tracium.trace({ exporter: memory })
    onCleanup(() => tracium.shutdown())
    const app = await serveWithScope(
      (req, res) =>
        suppressed(async () => {
          if (req.url === '/with-span')
            await tracium.span({ spanType: 'tool', name: 'check' }, async () => 1)
          res.end('ok')
        }),
      (url) => url,
    )
    await request(app.port, { path: '/plain', headers: { 'x-tenant-id': 'acme' } })
    await request(app.port, { path: '/with-span', headers: { 'x-tenant-id': 'acme' } })
    await app.idle()
    await tracium.flush()
    expect(memory.traces.map((t) => [t.agentName, t.tenantId, t.spans.length])).toEqual([
      ['plain', 'acme', 0],
      ['with-span', 'acme', 1],
    ])
  })
})
