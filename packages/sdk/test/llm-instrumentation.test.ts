/**
 * LLM calls captured: a plain OpenTelemetry 2.x provider with @tracium/otel's processor, an
 * Express app with the Tracium adapter, and a handler calling the real `openai` client against
 * the local mock model. The gen_ai span must be a child of the request's active span, carry the
 * request's tenant, model and tokens, and map to the local store's llm span fields.
 *
 * `openai` is imported (its ESM build) before the instrumentation is turned on, as in any ESM
 * app; its CommonJS build is required only after, through the require hook.
 */
import { once } from 'node:events'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { type Span, SpanKind } from '@opentelemetry/api'
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node'
import { getCurrentTenant } from '@tracium/core'
import { traciumTenant } from '@tracium/express'
import { traciumSpanProcessor } from '@tracium/otel'
import express from 'express'
import OpenAI from 'openai'
import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startMockModel } from '../../../examples/complete/mock-model.js'
import { genAiSpanFields } from '../src/exporters/genai-attributes.js'
import {
  instrumentLlmClients,
  isSupportedOpenAi,
  type LlmInstrumentation,
  SUPPORTED_OPENAI,
} from '../src/llm-instrumentation.js'

const PRICES = { 'gpt-4': { input: 30, output: 60 } }
const exporter = new InMemorySpanExporter()
const provider = new NodeTracerProvider({
  spanProcessors: [traciumSpanProcessor(), new SimpleSpanProcessor(exporter)],
})
provider.register() // the global context manager: spans start in the request's context
const tracer = provider.getTracer('app')

let model: { baseURL: string; close: () => Promise<void> }
let llm: LlmInstrumentation | null
let openai: OpenAI

/** Express with the Tracium adapter; each request runs in an active `request` span, as it does
 * under the SDK's trace() or instrumentation-http. The route answers with that span's ids. */
function createApp(client: { chat: OpenAI['chat'] }) {
  const app = express()
  app.use(traciumTenant({ required: true }))
  app.use(express.json())
  app.use((_req, res, next) =>
    tracer.startActiveSpan('request', (root) => {
      res.locals.root = root
      next()
    }),
  )
  app.post('/chat', async (req, res) => {
    const messages = [{ role: 'user' as const, content: req.body.message as string }]
    let content = ''
    if (req.body.stream) {
      const stream = await client.chat.completions.create({
        model: 'gpt-4',
        messages,
        stream: true,
        stream_options: { include_usage: true },
      })
      for await (const chunk of stream) content += chunk.choices[0]?.delta.content ?? ''
    } else {
      const completion = await client.chat.completions.create({ model: 'gpt-4', messages })
      content = completion.choices[0]?.message.content ?? ''
    }
    const root = res.locals.root as Span
    root.end() // before answering: once the client has the answer, every span has ended
    const { traceId, spanId } = root.spanContext()
    res.json({ tenant: getCurrentTenant(), content, traceId, spanId })
  })
  return app
}

function llmSpansOf(traceId: string): ReadableSpan[] {
  return exporter
    .getFinishedSpans()
    .filter((s) => s.spanContext().traceId === traceId && s.kind === SpanKind.CLIENT)
}

beforeAll(async () => {
  model = await startMockModel()
  llm = instrumentLlmClients(provider)
  await llm?.ready
  openai = new OpenAI({ baseURL: model.baseURL, apiKey: 'test' })
}, 60_000) // generous: CI runs every suite at once on two cores
afterAll(async () => {
  llm?.disable()
  await provider.shutdown()
  await model?.close()
})

describe('instrumentLlmClients(): openai calls become gen_ai spans in the request trace', () => {
  it('finds the app’s openai and patches the copy imported before it', () => {
    expect(llm).not.toBeNull()
    expect(llm!.packages).toHaveLength(1)
    expect(llm!.packages[0]).toMatch(/openai/)
  })

  it('finds it from the working directory when a launcher left the script path relative', () => {
    const script = process.argv[1]
    process.argv[1] = 'server.js' // createRequire threw on the relative path, so init() did too
    try {
      const again = instrumentLlmClients(provider)
      expect(again?.packages).toEqual(llm!.packages)
    } finally {
      process.argv[1] = script!
      instrumentLlmClients(provider) // as beforeAll left it
    }
  })

  it('a chat completion: model, tokens and the tenant, under the request’s active span', async () => {
    const res = await request(createApp(openai))
      .post('/chat')
      .set('x-tenant-id', 'acme')
      .send({ message: 'Hi there' })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ tenant: 'acme', content: 'Hello! You asked: Hi there' })
    const [span, ...more] = llmSpansOf(res.body.traceId)
    expect(more).toEqual([])
    expect(span!.name).toBe('chat gpt-4')
    expect(span!.parentSpanContext?.spanId).toBe(res.body.spanId)
    expect(span!.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4',
      'gen_ai.usage.input_tokens': 2,
      'gen_ai.usage.output_tokens': 7,
      'tracium.user.id': 'acme',
    })
    // What the local store records for it: an llm span with tokens and the priced cost.
    expect(genAiSpanFields(span!.attributes, PRICES)).toEqual({
      spanType: 'llm',
      modelId: 'gpt-4',
      inputTokens: 2,
      outputTokens: 7,
      cachedInputTokens: null,
      costUsd: (2 * 30 + 7 * 60) / 1_000_000,
    })
  })

  it('a streamed chat completion: tokens from the usage chunk, ended after the stream', async () => {
    const res = await request(createApp(openai))
      .post('/chat')
      .set('x-tenant-id', 'globex')
      .send({ message: 'Stream this please', stream: true })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      tenant: 'globex',
      content: 'Hello! You asked: Stream this please',
    })
    const [span, ...more] = llmSpansOf(res.body.traceId)
    expect(more).toEqual([])
    expect(span!.parentSpanContext?.spanId).toBe(res.body.spanId)
    expect(span!.attributes).toMatchObject({
      'gen_ai.request.model': 'gpt-4',
      'gen_ai.usage.input_tokens': 3,
      'gen_ai.usage.output_tokens': 8,
      'tracium.user.id': 'globex',
    })
  })

  it('200 interleaved requests over 50 tenants: each llm span carries its own request’s tenant', async () => {
    // One listening server (supertest would start one per request given the app).
    const server = createApp(openai).listen(0, '127.0.0.1')
    await once(server, 'listening')
    const app = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const sent = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const tenant = `tenant-${i % 50}`
        const res = await request(app)
          .post('/chat')
          .set('x-tenant-id', tenant)
          .send({ message: `question ${i}`, stream: i % 3 === 0 })
        expect(res.body.tenant).toBe(tenant)
        return { tenant, traceId: res.body.traceId as string, spanId: res.body.spanId as string }
      }),
    )
    const mismatches = sent.flatMap(({ tenant, traceId, spanId }) => {
      const spans = llmSpansOf(traceId)
      if (spans.length !== 1) return [`${tenant}: ${spans.length} llm spans`]
      const [span] = spans
      const wrong = []
      if (span!.attributes['tracium.user.id'] !== tenant)
        wrong.push(`${tenant}: stamped ${span!.attributes['tracium.user.id']}`)
      if (span!.parentSpanContext?.spanId !== spanId) wrong.push(`${tenant}: wrong parent`)
      if (span!.attributes['gen_ai.usage.output_tokens'] !== 7) wrong.push(`${tenant}: tokens`)
      return wrong
    })
    server.close()
    expect(mismatches).toEqual([])
  }, 120_000)

  it('the CommonJS build, required after the instrumentation, is patched by the require hook', async () => {
    const { OpenAI: Cjs } = createRequire(import.meta.url)('openai') as typeof import('openai')
    expect(Cjs).not.toBe(OpenAI) // openai ships two builds with separate classes
    const res = await request(createApp(new Cjs({ baseURL: model.baseURL, apiKey: 'test' })))
      .post('/chat')
      .set('x-tenant-id', 'initech')
      .send({ message: 'From CommonJS' })
    expect(res.status).toBe(200)
    const [span] = llmSpansOf(res.body.traceId)
    expect(span?.attributes).toMatchObject({
      'gen_ai.request.model': 'gpt-4',
      'tracium.user.id': 'initech',
    })
  }, 60_000) // the first require of openai's CommonJS build, through the hook

  it('disable() unpatches; instrumentLlmClients: false patches nothing', async () => {
    const app = createApp(openai)
    const chat = async () => {
      const res = await request(app).post('/chat').set('x-tenant-id', 'acme').send({ message: 'x' })
      expect(res.status).toBe(200)
      return llmSpansOf(res.body.traceId).length
    }
    expect(await chat()).toBe(1) // the control: instrumented now
    llm!.disable()
    llm!.disable() // idempotent
    expect(await chat()).toBe(0)
    expect(instrumentLlmClients(provider, { instrumentLlmClients: false })).toBeNull()
    expect(await chat()).toBe(0)
    llm = instrumentLlmClients(provider) // on again: nothing was left half-patched
    await llm?.ready
    expect(await chat()).toBe(1)
  })

  it('the ESM build is patched before it returns: a call made at once, without awaiting ready, is captured', async () => {
    // examples/complete failed under CI's load: init() patched the ESM build through an
    // import() that settled after the app's first call.
    llm!.disable()
    llm = instrumentLlmClients(provider)
    const traceId = await tracer.startActiveSpan('at once', async (root) => {
      await openai.chat.completions.create({
        model: 'gpt-4',
        messages: [{ role: 'user', content: 'x' }],
      })
      root.end()
      return root.spanContext().traceId
    })
    expect(llmSpansOf(traceId).map((s) => s.name)).toEqual(['chat gpt-4'])
  })
})

describe('one instrumentation per process', () => {
  it('a second call points it at the new provider; instrumentLlmClients: false turns it off', async () => {
    const chat = () =>
      openai.chat.completions.create({ model: 'gpt-4', messages: [{ role: 'user', content: 'x' }] })
    const otherExporter = new InMemorySpanExporter()
    const other = new NodeTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(otherExporter)],
    })
    expect(instrumentLlmClients(other)).toBe(llm)
    await chat()
    expect(otherExporter.getFinishedSpans().map((s) => s.name)).toEqual(['chat gpt-4'])
    expect(instrumentLlmClients(provider)).toBe(llm)
    const before = exporter.getFinishedSpans().length
    await chat()
    expect(otherExporter.getFinishedSpans()).toHaveLength(1)
    expect(exporter.getFinishedSpans()).toHaveLength(before + 1)
    expect(instrumentLlmClients(provider, { instrumentLlmClients: false })).toBeNull()
    await chat()
    expect(exporter.getFinishedSpans()).toHaveLength(before + 1)
    llm = instrumentLlmClients(provider)
    await llm?.ready
    await chat()
    expect(exporter.getFinishedSpans()).toHaveLength(before + 2)
  })
})

describe('the supported openai versions', () => {
  it('are the instrumentation’s own (a new instrumentation version must update both)', () => {
    const { OpenAIInstrumentation } = createRequire(import.meta.url)(
      '@opentelemetry/instrumentation-openai',
    ) as typeof import('@opentelemetry/instrumentation-openai')
    const instrumentation = new OpenAIInstrumentation({ enabled: false })
    expect(instrumentation.getModuleDefinitions().map((d) => d.supportedVersions)).toEqual([
      [SUPPORTED_OPENAI],
    ])
  })

  it('>=4.19.0 <7, releases only', () => {
    for (const v of ['4.19.0', '4.104.0', '5.0.0', '6.30.1'])
      expect(isSupportedOpenAi(v)).toBe(true)
    for (const v of ['4.18.9', '3.3.0', '7.0.0', '7.55.0', '6.0.0-beta.1', '', 'x.y.z'])
      expect(isSupportedOpenAi(v)).toBe(false)
  })
})
