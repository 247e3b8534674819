/**
 * The processor in process, on OpenTelemetry 2.x's own provider and in-memory exporter, with
 * core's own request scope and resolver (what every adapter calls): the cases the real-HTTP
 * suites cannot reach cheaply.
 */
import { once } from 'node:events'
import { context, ROOT_CONTEXT, type Span, SpanKind, trace } from '@opentelemetry/api'
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node'
import {
  createTenantResolver,
  openRequestScope,
  resolveInScope,
  TraciumOptionsError,
  withTenant,
} from '@tracium/core'
import { afterEach, describe, expect, it } from 'vitest'
import {
  LONG_TENANT_WARNING_CODE,
  MAX_OPEN_PER_GROUP,
  PENDING_LIMIT_WARNING_CODE,
  TENANT_ATTRIBUTE,
  traciumSpanProcessor,
} from '../src/index.js'
import { PendingSpans } from '../src/pending-spans.js'

function setUp(options?: Parameters<typeof traciumSpanProcessor>[0], hideOnEnding = false) {
  const processor = traciumSpanProcessor(options)
  const exporter = new InMemorySpanExporter()
  // An SDK 1.x provider never calls onEnding: the same processor with that method hidden.
  const tracium: SpanProcessor = hideOnEnding
    ? {
        onStart: (span, parent) => processor.onStart(span, parent),
        onEnd: (span) => processor.onEnd(span),
        forceFlush: () => processor.forceFlush(),
        shutdown: () => processor.shutdown(),
      }
    : processor
  const provider = new NodeTracerProvider({
    spanProcessors: [tracium, new SimpleSpanProcessor(exporter)],
  })
  // Registers the AsyncLocalStorage context manager (once per file is enough; later calls
  // replace the global provider, which these tests do not use: they use `tracer`).
  provider.register()
  providers.push(provider)
  const tracer = provider.getTracer('test')
  const tenantOf = (name: string) =>
    exporter.getFinishedSpans().find((s) => s.name === name)?.attributes[TENANT_ATTRIBUTE]
  return { processor, tracer, exporter, tenantOf }
}

const providers: NodeTracerProvider[] = []
// instrumentation-http's server spans are SERVER spans; the processor keeps those (and their
// untagged children) waiting for a tenant.
const SERVER = { kind: SpanKind.SERVER }
afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.shutdown()))
})

/** What instrumentation-http does: a server span active before Tracium's middleware runs. */
function request(
  server: Span,
  headers: Record<string, string>,
  route: (scope: ReturnType<typeof openRequestScope>) => void,
) {
  const resolver = createTenantResolver({})
  context.with(trace.setSpan(context.active(), server), () => {
    const scope = openRequestScope({ method: 'GET', url: '/' })
    resolveInScope(
      resolver,
      scope,
      { method: 'GET', url: '/', headers },
      () => route(scope),
      () => {
        throw new Error('rejected')
      },
    )
  })
}

/** Process warnings emitted by `fn`, collected up to a marker warning emitted after it. */
async function warningsOf(fn: () => void): Promise<NodeJS.ErrnoException[]> {
  const seen: NodeJS.ErrnoException[] = []
  const collect = (w: NodeJS.ErrnoException) => seen.push(w)
  process.on('warning', collect)
  fn()
  const marker = once(process, 'warning', { signal: AbortSignal.timeout(5000) })
  process.emitWarning('marker', { code: 'TEST_MARKER' })
  while (!seen.some((w) => w.code === 'TEST_MARKER')) await marker
  process.off('warning', collect)
  return seen.filter((w) => w.code !== 'TEST_MARKER')
}

describe('traciumSpanProcessor', () => {
  it('stamps the tenant current at start; no tenant, no attribute', () => {
    const { tracer, tenantOf, exporter } = setUp()
    withTenant('acme', () => tracer.startSpan('with').end())
    tracer.startSpan('without').end()
    expect(tenantOf('with')).toBe('acme')
    const without = exporter.getFinishedSpans().find((s) => s.name === 'without')!
    expect(Object.keys(without.attributes)).toEqual([])
  })

  it('writes the duplicate attribute only when asked to', () => {
    const { tracer, exporter } = setUp({ duplicateAttribute: 'tenant.id' })
    withTenant('acme', () => tracer.startSpan('span').end())
    expect(exporter.getFinishedSpans()[0]!.attributes).toEqual({
      'tracium.user.id': 'acme',
      'tenant.id': 'acme',
    })
  })

  it('stamps a span started before the tenant when core resolves it (no onEnding, as 1.x)', () => {
    const { tracer, tenantOf } = setUp({}, true)
    const server = tracer.startSpan('server', SERVER)
    const before = tracer.startSpan('before', {}, trace.setSpan(context.active(), server))
    request(server, { 'x-tenant-id': 'acme' }, () => tracer.startSpan('after').end())
    before.end()
    server.end()
    expect([tenantOf('server'), tenantOf('before'), tenantOf('after')]).toEqual([
      'acme',
      'acme',
      'acme',
    ])
  })

  it("another request of the same trace (a remote parent) never takes this request's tenant", () => {
    const { tracer, tenantOf } = setUp()
    const job = tracer.startSpan('job') // a background job with no tenant calls a route
    const remote = trace.setSpanContext(ROOT_CONTEXT, { ...job.spanContext(), isRemote: true })
    const server = tracer.startSpan('server', SERVER, remote)
    expect(server.spanContext().traceId).toBe(job.spanContext().traceId)
    request(server, { 'x-tenant-id': 'acme' }, () => {})
    server.end()
    job.end()
    expect(tenantOf('server')).toBe('acme')
    expect(tenantOf('job')).toBeUndefined()
  })

  it('a request whose tenant is set later by setTenant stamps its early spans as they end', () => {
    const { tracer, tenantOf } = setUp()
    const server = tracer.startSpan('server', SERVER)
    request(server, {}, (scope) => scope.setTenant('late'))
    server.end()
    expect(tenantOf('server')).toBe('late')
  })

  it('warns once, with a code, for ids over 128 bytes and still stamps them whole', async () => {
    const { tracer, tenantOf } = setUp()
    const exactly128 = 'é'.repeat(64)
    const over = 'é'.repeat(65)
    const warnings = await warningsOf(() => {
      withTenant(exactly128, () => tracer.startSpan('128').end())
      withTenant(over, () => tracer.startSpan('130').end())
      withTenant(`${over}b`, () => tracer.startSpan('131').end())
    })
    expect(warnings.map((w) => w.code)).toEqual([LONG_TENANT_WARNING_CODE])
    expect(warnings[0]!.message).not.toContain(over)
    expect([tenantOf('128'), tenantOf('130'), tenantOf('131')]).toEqual([
      exactly128,
      over,
      `${over}b`,
    ])
  })

  it('remembers a bounded number of open untagged spans per tree, and says so once', async () => {
    const { tracer } = setUp()
    const root = tracer.startSpan('root', SERVER)
    const parent = trace.setSpan(context.active(), root)
    // Spans that are never ended (a leak in the app) must not grow memory without bound.
    const warnings = await warningsOf(() => {
      for (let i = 0; i < MAX_OPEN_PER_GROUP + 10; i++) tracer.startSpan('leaked', {}, parent)
    })
    expect(warnings.map((w) => w.code)).toEqual([PENDING_LIMIT_WARNING_CODE])
  })

  it('stops listening to core after shutdown', async () => {
    const { processor, tracer, tenantOf } = setUp({}, true)
    await processor.forceFlush()
    await processor.shutdown()
    await processor.shutdown()
    const server = tracer.startSpan('server', SERVER)
    request(server, { 'x-tenant-id': 'acme' }, () => {})
    server.end()
    expect(tenantOf('server')).toBeUndefined()
  })

  it.each([
    [{ duplicate: 'tenant.id' }, 'unknown option "duplicate"'],
    [{ duplicateAttribute: '' }, 'non-empty attribute name'],
    [{ duplicateAttribute: 'tracium.user.id' }, 'must differ from tracium.user.id'],
    [{ duplicateAttribute: 'gen_ai.tenant' }, 'starts with "gen_ai."'],
    [null, 'must be an object'],
  ])('rejects bad options at creation: %j', (options, message) => {
    const create = () => traciumSpanProcessor(options as never)
    expect(create).toThrow(TraciumOptionsError)
    expect(create).toThrow(`@tracium/otel: `)
    expect(create).toThrow(message)
  })
})

describe('PendingSpans', () => {
  it('counts the spans waiting for a tenant, back to 0 once they ended or were stamped', () => {
    // The processor skips core's events while the count is 0: it must not stay above 0 after
    // ordinary requests, nor drop to 0 while a span still waits.
    const pending = new PendingSpans()
    const [server, child, other] = [{}, {}, {}]
    pending.begin(server)
    expect(pending.join(child, server)).toBe(true)
    expect(pending.join(other, {})).toBe(false)
    expect(pending.openSpans).toBe(2)
    pending.close(child)
    pending.close(child)
    expect(pending.openSpans).toBe(1)
    const group = pending.groupOf(server)!
    expect(pending.takeOpen(group)).toEqual([server])
    expect(pending.openSpans).toBe(0)
    pending.close(server) // it ends after it was stamped
    expect(pending.openSpans).toBe(0)
  })
})
