/**
 * LLM calls captured by the SDK itself: `init()`/`trace()` turn on the OpenAI instrumentation,
 * and a real `openai` client calling the local mock model from an Express handler (no hand-made
 * span) lands in the request's Tracium trace: in its record (local store, report) and, over
 * OTLP, under its root span. No OpenTelemetry set-up of the app's own: the SDK's context manager
 * and provider only.
 *
 * `openai`'s CommonJS build is required after `init()`, so the instrumentation's require hook
 * patches it as it loads (the ESM build is patched by an `import()` that `init()` cannot await).
 */
import { execFile } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { traciumTenant } from '@tracium/express'
import express from 'express'
import type OpenAI from 'openai'
import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startMockModel } from '../../../examples/complete/mock-model.js'
import * as tracium from '../src/index.js'
import type { SpanRecord, TraceRecord } from '../src/records.js'
import { onCleanup, storedTraces, tempDir, withEnv } from './helpers.js'
import { receiver, spanNamed } from './otlp.js'

const load = createRequire(import.meta.url)
const cli = fileURLToPath(new URL('../dist/cli.mjs', import.meta.url))
const PRICES = { 'gpt-4': { input: 30, output: 60 } }
const ENV_OFF = {
  OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: undefined,
  OTEL_EXPORTER_OTLP_HEADERS: undefined,
  TRACIUM_API_KEY: undefined,
  TRACIUM_DIR: undefined,
}

let model: { baseURL: string; close: () => Promise<void> }
beforeAll(async () => {
  model = await startMockModel()
}, 60_000) // generous: CI runs every suite at once on two cores
afterAll(() => model?.close())

interface Usage {
  prompt_tokens: number
  completion_tokens: number
}

/** The complete example's shape: the tenant from X-Tenant-ID, one openai call per /chat,
 * directly in the handler or, with `inSpan`, inside `tracium.span()`. */
function chatApp(): express.Express {
  const { OpenAI: Client } = load('openai') as { OpenAI: typeof OpenAI }
  const openai = new Client({ baseURL: model.baseURL, apiKey: 'test' })
  const app = express()
  app.use(traciumTenant({ required: true }))
  app.use(express.json())
  app.post('/chat', async (req, res) => {
    const call = () =>
      openai.chat.completions.create({
        model: 'gpt-4',
        messages: [{ role: 'user', content: req.body.message as string }],
      })
    const completion = req.body.inSpan
      ? await tracium.span({ spanType: 'custom', name: 'answer' }, call)
      : await call()
    res.json({ tenant: tracium.getCurrentTenant(), usage: completion.usage })
  })
  return app
}

const costOf = (usage: Usage) =>
  (usage.prompt_tokens * PRICES['gpt-4'].input + usage.completion_tokens * PRICES['gpt-4'].output) /
  1_000_000

function llmSpanOf(record: TraceRecord): SpanRecord {
  const llm = record.spans.filter((s) => s.spanType === 'llm')
  expect(llm).toHaveLength(1)
  return llm[0]!
}

describe('init()/trace(): openai calls in a request are llm spans of its trace', () => {
  it('in a handler and inside tracium.span(): in the trace record and, over OTLP, under the root span', async () => {
    withEnv(ENV_OFF)
    const otlp = await receiver()
    const memory = tracium.memoryExporter()
    tracium.init({ exporter: memory, endpoint: otlp.url, prices: PRICES })
    tracium.trace()
    onCleanup(() => tracium.shutdown())
    const app = chatApp()

    const direct = await request(app)
      .post('/chat')
      .set('x-tenant-id', 'acme')
      .send({ message: 'Hi there' })
    const nested = await request(app)
      .post('/chat')
      .set('x-tenant-id', 'globex')
      .send({ message: 'Hello again', inSpan: true })
    expect([direct.status, nested.status]).toEqual([200, 200])
    expect(await tracium.flush()).toBe(true)

    // The records: one trace per request, its llm span the openai call's, with the tenant.
    expect(memory.traces).toHaveLength(2)
    const [acme, globex] = ['acme', 'globex'].map(
      (t) => memory.traces.find((r) => r.tenantId === t)!,
    )
    for (const [record, res] of [
      [acme!, direct],
      [globex!, nested],
    ] as const) {
      expect(llmSpanOf(record)).toMatchObject({
        name: 'chat gpt-4',
        traceId: record.id,
        tenantId: record.tenantId,
        modelId: 'gpt-4',
        inputTokens: res.body.usage.prompt_tokens,
        outputTokens: res.body.usage.completion_tokens,
        costUsd: costOf(res.body.usage),
        status: 'completed',
      })
    }
    expect(llmSpanOf(acme!).parentSpanId).toBeNull() // below the root
    const answer = globex!.spans.find((s) => s.name === 'answer')!
    expect(llmSpanOf(globex!).parentSpanId).toBe(answer.id)

    // OTLP: the same nesting, one trace per request.
    await otlp.waitFor((spans) => spans.filter((s) => s.name === 'chat gpt-4').length === 2)
    await otlp.waitFor((spans) => spans.filter((s) => s.name === 'invoke_agent chat').length === 2)
    const roots = otlp.spans.filter((s) => s.name === 'invoke_agent chat')
    const rootOf = (tenant: string) =>
      roots.find((s) => s.attributes['tracium.user.id'] === tenant)!
    const llmOf = (root: { traceId: string }) =>
      otlp.spans.find((s) => s.name === 'chat gpt-4' && s.traceId === root.traceId)
    const answerSpan = spanNamed(otlp.spans, 'answer')
    expect(llmOf(rootOf('acme'))).toMatchObject({
      parentSpanId: rootOf('acme').spanId,
      attributes: expect.objectContaining({ 'tracium.user.id': 'acme', 'tenant.id': 'acme' }),
    })
    expect(answerSpan.parentSpanId).toBe(rootOf('globex').spanId)
    expect(llmOf(rootOf('globex'))).toMatchObject({
      parentSpanId: answerSpan.spanId,
      attributes: expect.objectContaining({ 'tracium.user.id': 'globex' }),
    })
    expect(new Set(otlp.spans.map((s) => s.traceId)).size).toBe(2)
  }, 60_000)

  it('the local store records the llm span; `tracium report --json` shows its tokens and cost for the tenant', async () => {
    withEnv(ENV_OFF)
    const dir = await tempDir()
    tracium.init({ dir, prices: PRICES, exporter: tracium.localStore({ dir }) })
    tracium.trace()
    onCleanup(() => tracium.shutdown())
    const app = chatApp()
    const usages: Usage[] = []
    for (const message of ['Hi there', 'What does it cost?']) {
      const res = await request(app).post('/chat').set('x-tenant-id', 'acme').send({ message })
      expect(res.status).toBe(200)
      usages.push(res.body.usage)
    }
    expect(await tracium.flush()).toBe(true)

    const stored = await storedTraces(dir)
    expect(stored.map((r) => llmSpanOf(r))).toEqual(
      usages.map((usage) =>
        expect.objectContaining({
          tenantId: 'acme',
          modelId: 'gpt-4',
          inputTokens: usage.prompt_tokens,
          outputTokens: usage.completion_tokens,
        }),
      ),
    )

    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [cli, 'report', '--dir', dir, '--format', 'json'], (error, out) =>
        error ? reject(error) : resolve(out),
      ),
    )
    const sum = (pick: (u: Usage) => number) => usages.reduce((n, u) => n + pick(u), 0)
    const [row, ...others] = JSON.parse(stdout).tenants
    expect(others).toEqual([])
    expect(row).toMatchObject({
      tenantId: 'acme',
      traces: 2,
      inputTokens: sum((u) => u.prompt_tokens),
      outputTokens: sum((u) => u.completion_tokens),
    })
    expect(row.costUsd).toBeCloseTo(sum(costOf), 12)
    expect(sum(costOf)).toBeGreaterThan(0)
  }, 60_000)

  it('instrumentLlmClients: false leaves openai untouched: no llm span', async () => {
    withEnv(ENV_OFF)
    const memory = tracium.memoryExporter()
    tracium.init({ exporter: memory, instrumentLlmClients: false })
    tracium.trace()
    onCleanup(() => tracium.shutdown())
    const res = await request(chatApp())
      .post('/chat')
      .set('x-tenant-id', 'acme')
      .send({ message: 'Hi' })
    expect(res.status).toBe(200)
    expect(await tracium.flush()).toBe(true)
    expect(memory.traces).toHaveLength(1)
    expect(memory.traces[0]!.spans).toEqual([])
  }, 60_000)

  it('rejects a non-boolean instrumentLlmClients at init', () => {
    expect(() => tracium.init({ instrumentLlmClients: 'no' as never })).toThrow(
      /instrumentLlmClients/,
    )
  })
})

describe('prices are looked up by own key', () => {
  it('a model named like an Object.prototype member has no price (no NaN cost)', async () => {
    const memory = tracium.memoryExporter()
    tracium.init({ exporter: memory, prices: PRICES })
    onCleanup(() => tracium.shutdown())
    await tracium.withTenant('acme', () =>
      tracium.startTrace({ agentName: 'bot' }, async (trace) => {
        for (const modelId of ['constructor', 'toString', 'gpt-4']) {
          trace.span({ spanType: 'llm', name: modelId, modelId }, (span) =>
            span.setTokenUsage({ inputTokens: 10, outputTokens: 5 }),
          )
        }
      }),
    )
    expect(await tracium.flush()).toBe(true)
    const costs = memory.traces[0]!.spans.map((s) => [s.name, s.costUsd])
    expect(costs).toEqual([
      ['constructor', null],
      ['toString', null],
      ['gpt-4', costOf({ prompt_tokens: 10, completion_tokens: 5 })],
    ])
  })
})

describe('shutdown()', () => {
  it('turns the instrumentation off: openai is unpatched, and the next init() patches it again', async () => {
    withEnv(ENV_OFF)
    tracium.init({ exporter: tracium.memoryExporter() })
    onCleanup(() => tracium.shutdown())
    const { OpenAI: Client } = load('openai') as { OpenAI: typeof OpenAI }
    // The instrumentation's wrapper (its shimmer) marks the patched method `__wrapped`.
    const patched = () =>
      (Client.Chat.Completions.prototype.create as { __wrapped?: boolean }).__wrapped === true
    expect(patched()).toBe(true)
    await tracium.shutdown()
    expect(patched()).toBe(false)
    tracium.init({ exporter: tracium.memoryExporter() })
    expect(patched()).toBe(true)
  })
})
