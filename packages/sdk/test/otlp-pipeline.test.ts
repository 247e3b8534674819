import { describe, expect, it } from 'vitest'
import * as tracium from '../src/index.js'
import { onCleanup, withEnv } from './helpers.js'
import { request, serveWithScope } from './helpers-http.js'
import { receiver, spanNamed } from './otlp.js'

const ENV_OFF = {
  OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: undefined,
  OTEL_EXPORTER_OTLP_HEADERS: undefined,
  OTEL_SERVICE_NAME: undefined,
  TRACIUM_API_KEY: undefined,
}

describe('the SDK pipeline over OTLP/HTTP protobuf, through a real receiver', () => {
  it('sends the root as invoke_agent, llm and tool spans, the tenant, the Bearer key and the failure', async () => {
    const otlp = await receiver()
    withEnv({ ...ENV_OFF, OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, TRACIUM_API_KEY: 'trc_test_key' })
    tracium.init({ defaultAgentName: 'support-bot' })
    onCleanup(() => tracium.shutdown())

    await tracium.withTenant('acme', () =>
      tracium.startTrace({ tags: ['beta'] }, async (trace) => {
        await trace.span({ spanType: 'llm', name: 'answer', modelId: 'gpt-4o-mini' }, (span) => {
          span.setTokenUsage({ inputTokens: 120, outputTokens: 45, cachedInputTokens: 20 })
          return tracium.span({ spanType: 'tool', name: 'crm-lookup' }, () => 'found')
        })
        await trace
          .span({ spanType: 'retrieval', name: 'kb' }, async () => {
            throw new RangeError('index offline')
          })
          .catch(() => {})
        trace.setSummary({ answered: true })
      }),
    )
    expect(await tracium.flush()).toBe(true)
    await otlp.waitFor((spans) => spans.length >= 4)

    const root = spanNamed(otlp.spans, 'invoke_agent support-bot')
    const llm = spanNamed(otlp.spans, 'answer')
    const tool = spanNamed(otlp.spans, 'crm-lookup')
    const failed = spanNamed(otlp.spans, 'kb')
    expect(root.parentSpanId).toBe('')
    expect(root.attributes).toMatchObject({
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': 'support-bot',
      'tracium.summary': '{"answered":true}',
    })
    expect(root.resource['service.name']).toBe('support-bot')
    expect(llm.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 120,
      'gen_ai.usage.output_tokens': 45,
      'gen_ai.usage.cache_read.input_tokens': 20,
    })
    expect(tool.attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'crm-lookup',
    })
    // One trace: the children hang below the root, the tool below the llm span.
    expect(new Set(otlp.spans.map((s) => s.traceId)).size).toBe(1)
    expect([llm.parentSpanId, failed.parentSpanId]).toEqual([root.spanId, root.spanId])
    expect(tool.parentSpanId).toBe(llm.spanId)
    // Every span carries the tenant, as Tracium's backend needs it.
    for (const span of otlp.spans) {
      expect(span.attributes).toMatchObject({ 'tracium.user.id': 'acme', 'tenant.id': 'acme' })
    }
    expect(failed.status).toEqual({ code: 2, message: 'RangeError: index offline' })
    expect(failed.events).toEqual([
      expect.objectContaining({
        name: 'exception',
        attributes: expect.objectContaining({
          'exception.type': 'RangeError',
          'exception.message': 'index offline',
        }),
      }),
    ])
    expect(root.status.code).toBe(0) // a failed span does not fail a trace you manage yourself
    expect(otlp.requests.every((r) => r.headers.authorization === 'Bearer trc_test_key')).toBe(true)
    expect(tracium.getQueueStats()).toMatchObject({ sent: 4, failed: 0, dropped: 0, queueSize: 0 })
  })

  it('options win: endpoint and headers from init, an explicit Authorization header is kept', async () => {
    const otlp = await receiver()
    withEnv({ ...ENV_OFF, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' })
    tracium.init({
      endpoint: otlp.url,
      apiKey: 'trc_ignored',
      headers: { authorization: 'Bearer own', 'x-team': 'search' },
    })
    onCleanup(() => tracium.shutdown())
    tracium.startTrace({ agentName: 'opts' }, () => {})
    expect(await tracium.flush()).toBe(true)
    expect(otlp.requests[0]?.headers).toMatchObject({
      authorization: 'Bearer own',
      'x-team': 'search',
    })
  })

  it('a request trace arrives with its route, HTTP attributes, 5xx failure and tenant', async () => {
    const otlp = await receiver()
    withEnv({ ...ENV_OFF })
    tracium.trace({ endpoint: otlp.url })
    onCleanup(() => tracium.shutdown())
    const { port, idle } = await serveWithScope(
      (req, res) => {
        // The trace starts lazily here, inside another tenant's context: it is still the
        // request's trace, with the request's tenant on both attributes.
        if (req.url === '/lazy') tracium.withTenant('other', () => tracium.currentTrace())
        res.statusCode = req.url === '/boom' ? 503 : 200
        res.end('ok')
      },
      (url) => (url.startsWith('/users/') ? '/users/:id' : url),
    )
    await request(port, { path: '/users/42?token=secret', headers: { 'x-tenant-id': 'globex' } })
    await request(port, { path: '/boom', headers: { 'x-tenant-id': 'initech' } })
    await request(port, { path: '/lazy', headers: { 'x-tenant-id': 'umbrella' } })
    await idle() // the requests closed: their traces ended
    expect(await tracium.flush()).toBe(true)
    const users = spanNamed(otlp.spans, 'invoke_agent users-id')
    expect(users.attributes).toMatchObject({
      'gen_ai.agent.name': 'users-id',
      'http.request.method': 'GET',
      'url.path': '/users/42',
      'http.route': '/users/:id',
      'http.response.status_code': 200,
      'tracium.user.id': 'globex',
    })
    expect(JSON.stringify(otlp.spans)).not.toContain('secret')
    const boom = spanNamed(otlp.spans, 'invoke_agent boom')
    expect(boom.status).toEqual({ code: 2, message: 'HTTP 503' })
    expect(boom.attributes['tracium.user.id']).toBe('initech')
    expect(spanNamed(otlp.spans, 'invoke_agent lazy').attributes).toMatchObject({
      'tracium.user.id': 'umbrella',
      'tenant.id': 'umbrella',
    })
  })
})
