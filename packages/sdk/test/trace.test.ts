import { AsyncResource } from 'node:async_hooks'
import { openRequestScope } from '@tracium/core'
import { describe, expect, it } from 'vitest'
import * as tracium from '../src/index.js'
import { ticks, useMemory } from './helpers.js'

const { startTrace, TraciumError } = tracium

describe('startTrace(options, fn)', () => {
  it('returns what fn returns and exports one completed trace with the defaults applied', () => {
    const memory = useMemory({
      defaultAgentName: 'support-bot',
      defaultModelId: 'gpt-4o-mini',
      defaultVersion: '1.2.0',
      defaultTags: ['prod', 'EU'],
      defaultMetadata: { region: 'eu', plan: 'free' },
    })
    const result = startTrace({ tags: ['eu', 'beta'], metadata: { plan: 'pro' } }, () => 42)
    expect(result).toBe(42)
    expect(memory.traces).toHaveLength(1)
    expect(memory.traces[0]).toMatchObject({
      agentName: 'support-bot',
      modelId: 'gpt-4o-mini',
      version: '1.2.0',
      tags: ['prod', 'EU', 'beta'],
      metadata: { region: 'eu', plan: 'pro' },
      status: 'completed',
      error: null,
      spans: [],
    })
  })

  it('uses a given traceId and records ISO times and a duration', () => {
    const memory = useMemory()
    startTrace({ agentName: 'bot', traceId: 'order-1234' }, () => {})
    const [trace] = memory.traces
    expect(trace?.id).toBe('order-1234')
    expect(trace?.agentName).toBe('bot')
    expect(new Date(trace!.startedAt).toISOString()).toBe(trace?.startedAt)
    expect(trace!.endedAt >= trace!.startedAt).toBe(true)
    expect(trace!.durationMs).toBeGreaterThanOrEqual(0)
  })

  it('completes when the promise resolves, with the resolved value', async () => {
    const memory = useMemory()
    const value = await startTrace({}, async () => {
      await ticks(2)
      expect(memory.traces).toHaveLength(0) // still running
      return 'done'
    })
    expect(value).toBe('done')
    expect(memory.traces[0]?.status).toBe('completed')
  })

  it('marks the trace failed and rethrows the same error when fn rejects', async () => {
    const memory = useMemory()
    const boom = new RangeError('model overloaded')
    await expect(
      startTrace({}, async () => {
        await ticks(1)
        throw boom
      }),
    ).rejects.toBe(boom)
    expect(memory.traces[0]).toMatchObject({
      status: 'failed',
      error: 'RangeError: model overloaded',
    })
  })

  it('marks the trace failed and rethrows when fn throws synchronously', () => {
    const memory = useMemory()
    const boom = new Error('sync')
    expect(() =>
      startTrace({}, () => {
        throw boom
      }),
    ).toThrow(boom)
    expect(memory.traces[0]).toMatchObject({ status: 'failed', error: 'Error: sync' })
  })

  it('checks options with a TraciumError before running fn', () => {
    useMemory()
    let ran = false
    const run = () => {
      ran = true
    }
    for (const options of [
      { agentName: 'bad/name' },
      { traceId: 'has space' },
      { tags: ['x'.repeat(129)] },
      { modelId: '' },
      { version: 'v'.repeat(129) },
      { metadata: [] as unknown as Record<string, unknown> },
    ]) {
      expect(() => startTrace(options, run)).toThrow(TraciumError)
    }
    expect(ran).toBe(false)
  })
})

describe('the trace handle', () => {
  it('end() exports once; later end() and fail() do nothing', () => {
    const memory = useMemory()
    const trace = startTrace({ agentName: 'batch' })
    expect(trace.status).toBe('in_progress')
    expect(memory.traces).toHaveLength(0)
    trace.end()
    trace.end()
    trace.fail(new Error('late'))
    expect(memory.traces).toHaveLength(1)
    expect(trace.status).toBe('completed')
    expect(trace.durationMs).toBe(memory.traces[0]?.durationMs)
  })

  it('fail(err) ends it failed; markFailed() then end() does too', () => {
    const memory = useMemory()
    startTrace().fail(new Error('quota exceeded'))
    startTrace().markFailed('partial answer').end()
    startTrace().markFailed().end()
    expect(memory.traces.map((t) => [t.status, t.error])).toEqual([
      ['failed', 'Error: quota exceeded'],
      ['failed', 'partial answer'],
      ['failed', null],
    ])
  })

  it('setSummary and addTags (de-duplicated with the existing tags) reach the record', () => {
    const memory = useMemory({ defaultTags: ['prod'] })
    const trace = startTrace({ tags: ['beta'] })
    trace.setSummary({ answered: true }).addTags(['PROD', 'vip'])
    expect(trace.tags).toEqual(['prod', 'beta', 'vip'])
    trace.end()
    expect(memory.traces[0]).toMatchObject({
      summary: { answered: true },
      tags: ['prod', 'beta', 'vip'],
    })
  })

  it('`using` ends the trace when the block exits', () => {
    const memory = useMemory()
    {
      using trace = startTrace({ agentName: 'scoped' })
      trace.span({ spanType: 'tool', name: 'fetch' }, () => {})
      expect(memory.traces).toHaveLength(0)
    }
    expect(memory.traces[0]).toMatchObject({ agentName: 'scoped', status: 'completed' })
    expect(memory.traces[0]?.spans).toHaveLength(1)
  })

  it('`await using` ends the trace when the block exits', async () => {
    const memory = useMemory()
    {
      await using trace = startTrace({ agentName: 'async-scoped' })
      await trace.span({ spanType: 'llm' }, async () => ticks(1))
    }
    expect(memory.traces[0]).toMatchObject({ agentName: 'async-scoped', status: 'completed' })
  })

  it('the dispose methods sit on Symbol.dispose and Symbol.asyncDispose', async () => {
    const memory = useMemory()
    const a = startTrace()
    const b = startTrace()
    a[Symbol.dispose]()
    await b[Symbol.asyncDispose]()
    expect(memory.traces.map((t) => t.id)).toEqual([a.id, b.id])
    // Node 20 defines them as registry symbols; newer Nodes as well-known ones.
    const expected = process.versions.node.startsWith('20.')
      ? Symbol.for('nodejs.dispose')
      : Symbol.dispose
    expect(Symbol.dispose).toBe(expected)
  })

  it('a handle is not current; trace.run(fn) makes it current for tracium.span()', async () => {
    const memory = useMemory()
    const trace = startTrace()
    expect(tracium.currentTrace()).toBeNull()
    await trace.run(async () => {
      expect(tracium.currentTrace()).toBe(trace)
      await tracium.span({ spanType: 'tool', name: 'inside-run' }, () => ticks(1))
    })
    trace.end()
    expect(memory.traces[0]?.spans.map((s) => s.name)).toEqual(['inside-run'])
  })
})

describe('spans', () => {
  it('nest by async context: children get their parent, siblings share it', async () => {
    const memory = useMemory()
    await startTrace({}, async (trace) => {
      await trace.span({ spanType: 'plan', name: 'root' }, async () => {
        await ticks(1)
        await Promise.all([
          tracium.span({ spanType: 'retrieval', name: 'a' }, async () => {
            await ticks(3)
            await tracium.span({ spanType: 'tool', name: 'a.1' }, () => ticks(1))
          }),
          tracium.span({ spanType: 'retrieval', name: 'b' }, () => ticks(2)),
        ])
      })
      await trace.span({ spanType: 'action', name: 'after' }, () => ticks(1))
    })
    const spans = memory.traces[0]!.spans
    const byName = Object.fromEntries(spans.map((s) => [s.name, s]))
    expect(byName.root?.parentSpanId).toBeNull()
    expect(byName.a?.parentSpanId).toBe(byName.root?.id)
    expect(byName.b?.parentSpanId).toBe(byName.root?.id)
    expect(byName['a.1']?.parentSpanId).toBe(byName.a?.id)
    expect(byName.after?.parentSpanId).toBeNull()
    expect(spans.every((s) => s.traceId === memory.traces[0]?.id)).toBe(true)
  })

  it('concurrent traces keep their own spans and parents', async () => {
    const memory = useMemory()
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        startTrace({ traceId: `t${i}` }, async () => {
          await ticks(i % 5)
          await tracium.span({ spanType: 'llm', name: `outer-${i}` }, async () => {
            await ticks((i * 7) % 4)
            await tracium.span({ spanType: 'tool', name: `inner-${i}` }, () => ticks(i % 3))
          })
        }),
      ),
    )
    expect(memory.traces).toHaveLength(40)
    for (const trace of memory.traces) {
      const i = trace.id.slice(1)
      const [outer, inner] = trace.spans
      expect([outer?.name, inner?.name]).toEqual([`outer-${i}`, `inner-${i}`])
      expect(inner?.parentSpanId).toBe(outer?.id)
    }
  })

  it('a span of another trace does not become the parent', () => {
    const memory = useMemory()
    const other = startTrace({ traceId: 'other' })
    startTrace({ traceId: 'main' }, (main) => {
      main.span({ spanType: 'plan', name: 'outer' }, () => {
        other.span({ spanType: 'tool', name: 'foreign' }, () => {})
      })
    })
    other.end()
    const foreign = memory.traces.find((t) => t.id === 'other')?.spans[0]
    expect(foreign?.parentSpanId).toBeNull()
  })

  it('the handle records input, output, tokens and failure', () => {
    const memory = useMemory({ defaultModelId: 'gpt-4o' })
    startTrace({}, (trace) => {
      const span = trace.span({ spanType: 'llm', name: 'chat', input: 'first' })
      span
        .recordInput({ messages: ['hi'] })
        .recordOutput({ text: 'hello' })
        .setTokenUsage({ inputTokens: 10, outputTokens: 3 })
        .setTokenUsage({ cachedInputTokens: 4 })
      expect(span.tokenUsage).toEqual({ inputTokens: 10, outputTokens: 3, cachedInputTokens: 4 })
      span.end()
      trace.span({ spanType: 'tool', name: 'lookup' }).fail(new Error('404 from CRM'))
      trace
        .span({ spanType: 'tool', name: 'retry' })
        .markFailed('flaky')
        .setStatus('completed')
        .end()
    })
    const [chat, lookup, retry] = memory.traces[0]!.spans
    expect(chat).toMatchObject({
      spanType: 'llm',
      name: 'chat',
      modelId: 'gpt-4o',
      input: { messages: ['hi'] },
      output: { text: 'hello' },
      inputTokens: 10,
      outputTokens: 3,
      cachedInputTokens: 4,
      status: 'completed',
      error: null,
    })
    expect(chat!.latencyMs).toBeGreaterThanOrEqual(0)
    expect(chat!.completedAt! >= chat!.startedAt).toBe(true)
    expect(lookup).toMatchObject({ status: 'failed', error: 'Error: 404 from CRM' })
    expect(retry).toMatchObject({ status: 'completed', error: 'flaky' })
    expect(memory.traces[0]).toMatchObject({
      status: 'completed', // a failed span does not fail a trace you manage yourself
      inputTokens: 10,
      outputTokens: 3,
      cachedInputTokens: 4,
    })
  })

  it('span(…, fn) marks the span failed and rethrows when fn throws', async () => {
    const memory = useMemory()
    const boom = new Error('tool crashed')
    await startTrace({}, async (trace) => {
      await expect(
        trace.span({ spanType: 'tool', name: 'crm' }, async () => {
          throw boom
        }),
      ).rejects.toBe(boom)
    })
    expect(memory.traces[0]?.spans[0]).toMatchObject({
      status: 'failed',
      error: 'Error: tool crashed',
    })
  })

  it('defaults the name to the span type; honours spanId and parentSpanId', () => {
    const memory = useMemory()
    startTrace({}, (trace) => {
      trace.span({ spanType: 'retrieval' }).end()
      trace.span({ spanType: 'custom', spanId: 'fixed-id', parentSpanId: 'upstream' }).end()
    })
    expect(memory.traces[0]?.spans.map((s) => [s.name, s.id.length > 0, s.parentSpanId])).toEqual([
      ['retrieval', true, null],
      ['custom', true, 'upstream'],
    ])
    expect(memory.traces[0]?.spans[1]?.id).toBe('fixed-id')
  })

  it('rejects bad span options and token counts with a TraciumError', () => {
    useMemory()
    startTrace({}, (trace) => {
      expect(() => trace.span({ spanType: '' })).toThrow(TraciumError)
      expect(() => trace.span({ spanType: 'llm', name: 'n'.repeat(513) })).toThrow(TraciumError)
      const span = trace.span({ spanType: 'llm' })
      expect(() => span.setTokenUsage({ inputTokens: -1 })).toThrow(TraciumError)
      expect(() => span.setTokenUsage({ outputTokens: 1.5 })).toThrow(TraciumError)
      span.end()
    })
  })

  it('a span still open when the trace ends is exported in_progress', () => {
    const memory = useMemory()
    const trace = startTrace()
    const open = trace.span({ spanType: 'llm', name: 'streaming' })
    trace.end()
    open.end() // too late to be exported; warns once
    expect(memory.traces[0]?.spans[0]).toMatchObject({
      name: 'streaming',
      status: 'in_progress',
      completedAt: null,
      latencyMs: null,
    })
  })

  it('a span started after its trace ended still runs but is not exported', () => {
    const memory = useMemory()
    const trace = startTrace()
    trace.end()
    const value = trace.span({ spanType: 'tool', name: 'late' }, () => 'still runs')
    expect(value).toBe('still runs')
    expect(memory.traces[0]?.spans).toEqual([])
  })

  it('span handles are disposable', () => {
    const memory = useMemory()
    startTrace({}, (trace) => {
      using span = trace.span({ spanType: 'tool', name: 'scoped' })
      span.recordOutput('ok')
    })
    expect(memory.traces[0]?.spans[0]).toMatchObject({ status: 'completed', output: 'ok' })
  })
})

describe('tracium.span() and currentTrace()', () => {
  it('throws NO_ACTIVE_TRACE outside a trace, with a message that says what to do', () => {
    useMemory()
    expect(tracium.currentTrace()).toBeNull()
    try {
      tracium.span({ spanType: 'llm' }, () => {})
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(TraciumError)
      expect((error as InstanceType<typeof TraciumError>).code).toBe('NO_ACTIVE_TRACE')
      expect((error as Error).message).toMatch(/startTrace\(options, fn\)/)
    }
  })

  it('inside startTrace it uses that trace, in the handle form too', () => {
    const memory = useMemory()
    startTrace({}, (trace) => {
      expect(tracium.currentTrace()).toBe(trace)
      const handle = tracium.span({ spanType: 'tool', name: 'handle' })
      handle.end()
    })
    expect(memory.traces[0]?.spans.map((s) => s.name)).toEqual(['handle'])
  })
})

describe('S5: traces and spans record the tenant when they start', () => {
  it('a trace keeps the tenant it started with after the tenant changes', async () => {
    const memory = useMemory()
    const trace = tracium.withTenant('acme', () => startTrace())
    tracium.withTenant('globex', () => {
      trace.span({ spanType: 'tool', name: 'as-globex' }).end()
      trace.end()
    })
    expect(memory.traces[0]).toMatchObject({ tenantId: 'acme' })
    expect(memory.traces[0]?.spans[0]?.tenantId).toBe('globex')
  })

  it('setTenant tags the traces started after it; setTenant(null) clears it', async () => {
    const memory = useMemory()
    await tracium.withTenant(null, async () => {
      tracium.setTenant('tenant-123')
      expect(tracium.getCurrentTenant()).toBe('tenant-123')
      startTrace({}, () => {})
      tracium.setTenant(null)
      startTrace({}, () => {})
    })
    expect(memory.traces.map((t) => t.tenantId)).toEqual(['tenant-123', null])
  })

  it('a trace started in a request and ended after the request closed keeps its tenant', () => {
    const memory = useMemory()
    const scope = openRequestScope({ method: 'GET', url: '/stream' })
    const { trace, later } = scope.run(() => {
      scope.setTenant('acme')
      // AsyncResource.bind keeps the request's context, as a stream callback would.
      return {
        trace: startTrace({ agentName: 'stream' }),
        later: AsyncResource.bind(() => {
          trace.span({ spanType: 'llm', name: 'tail' }).end()
          trace.end()
        }),
      }
    })
    scope.close()
    later()
    expect(memory.traces[0]).toMatchObject({ tenantId: 'acme', status: 'completed' })
    // The span started after the request closed: its context reads no tenant (S2).
    expect(memory.traces[0]?.spans[0]?.tenantId).toBeNull()
  })
})

describe('cost from init({ prices })', () => {
  it('prices spans by model, cached input at its own rate, and sums them on the trace', () => {
    const memory = useMemory({
      defaultModelId: 'gpt-4o',
      prices: {
        'gpt-4o': { input: 2.5, output: 10, cachedInput: 1.25 },
        'gpt-4o-mini': { input: 0.15, output: 0.6 },
      },
    })
    startTrace({}, (trace) => {
      trace
        .span({ spanType: 'llm' })
        .setTokenUsage({
          inputTokens: 1_000_000,
          cachedInputTokens: 200_000,
          outputTokens: 100_000,
        })
        .end()
      trace
        .span({ spanType: 'llm', modelId: 'gpt-4o-mini' })
        .setTokenUsage({ inputTokens: 1_000_000, outputTokens: 1_000_000 })
        .end()
      trace
        .span({ spanType: 'llm', modelId: 'unknown-model' })
        .setTokenUsage({ inputTokens: 5 })
        .end()
      trace.span({ spanType: 'tool' }).end()
    })
    const [a, b, unknown, tool] = memory.traces[0]!.spans
    // 800k × 2.5 + 200k × 1.25 + 100k × 10, per million
    expect(a?.costUsd).toBeCloseTo(2 + 0.25 + 1, 10)
    expect(b?.costUsd).toBeCloseTo(0.15 + 0.6, 10)
    expect(unknown?.costUsd).toBeNull()
    expect(tool?.costUsd).toBeNull()
    expect(memory.traces[0]?.costUsd).toBeCloseTo(4, 10)
  })

  it('leaves cost null without prices', () => {
    const memory = useMemory()
    startTrace({}, (t) => t.span({ spanType: 'llm' }).setTokenUsage({ inputTokens: 9 }).end())
    expect(memory.traces[0]?.costUsd).toBeNull()
  })

  it('rejects a price that is not a number ≥ 0', () => {
    expect(() =>
      tracium.init({ prices: { m: { input: -1, output: 1 } }, exporter: tracium.memoryExporter() }),
    ).toThrow(/prices\["m"\]\.input/)
  })
})
