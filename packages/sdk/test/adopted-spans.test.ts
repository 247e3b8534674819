import { SpanStatusCode } from '@opentelemetry/api'
import { describe, expect, it } from 'vitest'
import * as tracium from '../src/index.js'
import { getClient } from '../src/init.js'
import { useMemory } from './helpers.js'

// An instrumentation using the SDK's tracer provider (as an LLM client instrumentation does
// when the SDK hands it the provider): its spans join the Tracium trace they run in.
function instrumentationSpan(name: string, attributes: Record<string, string | number>) {
  return getClient().provider.getTracer('some-instrumentation').startSpan(name, { attributes })
}

describe('spans of other instrumentations below a Tracium span', () => {
  it('join the trace record, with model, tokens, cost and the tenant from their attributes', () => {
    const memory = useMemory({ prices: { 'gpt-4o-mini': { input: 1, output: 2 } } })
    tracium.withTenant('acme', () =>
      tracium.startTrace({ agentName: 'bot' }, (trace) => {
        trace.span({ spanType: 'plan', name: 'route' }, (plan) => {
          const chat = instrumentationSpan('chat gpt-4o-mini', {
            'gen_ai.operation.name': 'chat',
            'gen_ai.request.model': 'gpt-4o-mini',
            'gen_ai.usage.input_tokens': 1_000_000,
            'gen_ai.usage.output_tokens': 500_000,
          })
          chat.end()
          const tool = instrumentationSpan('execute_tool lookup', {
            'gen_ai.operation.name': 'execute_tool',
          })
          tool.recordException(new Error('not found'))
          tool.setStatus({ code: SpanStatusCode.ERROR })
          tool.end()
          expect(plan.ended).toBe(false)
        })
      }),
    )
    const [record] = memory.traces
    const [plan, chat, tool] = record!.spans
    expect(chat).toMatchObject({
      name: 'chat gpt-4o-mini',
      spanType: 'llm',
      parentSpanId: plan!.id,
      tenantId: 'acme',
      modelId: 'gpt-4o-mini',
      inputTokens: 1_000_000,
      outputTokens: 500_000,
      costUsd: 2,
      status: 'completed',
    })
    expect(tool).toMatchObject({ spanType: 'tool', status: 'failed', error: 'not found' })
    expect(record).toMatchObject({ inputTokens: 1_000_000, outputTokens: 500_000, costUsd: 2 })
  })

  it('a span outside any Tracium trace joins none', () => {
    const memory = useMemory()
    instrumentationSpan('background', {}).end()
    tracium.startTrace({}, () => {})
    expect(memory.traces[0]?.spans).toEqual([])
  })
})
