/**
 * LLM calls captured in a real app process, over the wire: a user's own OpenTelemetry 2.x
 * set-up (`node --import ./otel-setup.mjs`: provider, @tracium/otel's processor,
 * instrumentation-http, the OTLP/proto exporter) and an Express app that calls `openai` with no
 * hand-made span. Spans are decoded by the real OTLP receiver. Both module systems, each with
 * `openai` loaded BEFORE instrumentLlmClients() (the hard case: no hook sees it load): the ESM
 * app imports it statically with no loader hook, the CommonJS app requires it first.
 * Runs the built dist (`@tracium/sdk` resolves to it).
 */
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startMockModel } from '../../../examples/complete/mock-model.js'
import { type ChildApp, otlpEnv, startChildApp } from '../../otel/test/child-app.js'
import { type OtlpReceiver, startOtlpReceiver } from '../../otel/test/otlp-receiver.js'

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url))
const SERVER = 2
const CLIENT = 3

describe.each(['llm-app.mjs', 'llm-app.cjs'])('%s', (file) => {
  let model: Awaited<ReturnType<typeof startMockModel>>
  let receiver: OtlpReceiver
  let app: ChildApp

  beforeAll(async () => {
    model = await startMockModel()
    receiver = await startOtlpReceiver()
    app = await startChildApp({
      cwd: fixtures,
      setup: './otel-setup.mjs',
      app: `./${file}`,
      args: [model.baseURL],
      env: otlpEnv(receiver.url),
    })
  }, 60_000) // a child process loading OpenTelemetry, express and openai, on a loaded machine
  afterAll(async () => {
    await app?.stop()
    await receiver?.close()
    await model?.close()
  })

  it('200 interleaved requests over 50 tenants: each llm span is a child of its request’s server span and carries its tenant, model and tokens', async () => {
    expect(app.ready.packages).toHaveLength(1)
    const sent = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const tenant = `tenant-${i % 50}`
        const res = await app.get('/work', { 'x-tenant-id': tenant })
        expect(res).toMatchObject({ status: 200, body: { tenant } })
        return { tenant, traceId: res.body.traceId }
      }),
    )
    const wanted = new Set(sent.map((r) => r.traceId))
    // An llm span ends before its request's server span, so the batch processor exports it
    // no later: once every server span is in, so is every llm span there is.
    await receiver.waitFor(
      (spans) => spans.filter((s) => s.kind === SERVER && wanted.has(s.traceId)).length >= 200,
    )
    const mismatches = sent.flatMap(({ tenant, traceId }) => {
      const spans = receiver.spans.filter((s) => s.traceId === traceId)
      const server = spans.filter((s) => s.kind === SERVER)
      const llm = spans.filter((s) => s.kind === CLIENT)
      if (spans.length !== 2 || server.length !== 1 || llm.length !== 1)
        return [`${tenant}: ${spans.map((s) => s.name).join(', ')}`]
      const wrong: string[] = []
      for (const span of spans)
        if (span.attributes['tracium.user.id'] !== tenant)
          wrong.push(`${tenant}: ${span.name} carries ${span.attributes['tracium.user.id']}`)
      if (llm[0]!.parentSpanId !== server[0]!.spanId) wrong.push(`${tenant}: llm parent`)
      const { attributes } = llm[0]!
      if (
        llm[0]!.name !== 'chat gpt-4' ||
        attributes['gen_ai.request.model'] !== 'gpt-4' ||
        attributes['gen_ai.usage.input_tokens'] !== 2 ||
        attributes['gen_ai.usage.output_tokens'] !== 7
      )
        wrong.push(`${tenant}: ${JSON.stringify(attributes)}`)
      return wrong
    })
    expect(mismatches).toEqual([])
    expect(app.stderr()).not.toMatch(/Error|TRACIUM_/)
  }, 120_000)
})
