/**
 * A store as a real app leaves it: several tenants over two weeks, failures, models, priced
 * spans, traces without a tenant, and hostile strings (a `<script>`, an `<img onerror>`) in a
 * tenant id, an agent name and span inputs, which the page must show as text.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { SpanRecord, TraceRecord } from '../../src/index.js'
import { spanRecord, traceRecord } from '../fixtures.js'

export const SCRIPT_TENANT = '<script>window.__pwned = "tenant"</script>'
export const IMG_AGENT = '<img src=x onerror="window.__pwned = \'agent\'">'
export const SCRIPT_INPUT = '<script>window.__pwned = "input"</script>'
export const IMG_OUTPUT = '<img src=x onerror="window.__pwned = \'output\'">'

const TENANTS = ['acme', 'globex', 'initech', SCRIPT_TENANT, null] as const
const WEIGHTS = [10, 6, 3, 1, 1]
const AGENTS = ['support-bot', 'router', IMG_AGENT]
const MODELS = ['gpt-4o-mini', 'gpt-4']

/** Deterministic: the same `now` and `count` give the same store. */
export function demoTraces(now: number, count = 400): TraceRecord[] {
  let seed = 12345
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648
    return seed / 2147483648
  }
  const pick = <T>(items: readonly T[], weights?: number[]): T => {
    if (!weights) return items[Math.floor(random() * items.length)]!
    let r = random() * weights.reduce((a, b) => a + b, 0)
    for (let i = 0; i < items.length; i++) {
      r -= weights[i]!
      if (r < 0) return items[i]!
    }
    return items[0]!
  }
  const traces: TraceRecord[] = []
  for (let i = 0; i < count; i++) {
    const tenantId = pick(TENANTS, WEIGHTS)
    // Over 14 days, busier lately; the last one a minute ago.
    const ageMs = Math.floor(random() ** 1.5 * 14 * 86400e3) + 60e3
    const start = now - ageMs
    const failed = random() < (tenantId === 'initech' ? 0.3 : 0.06)
    // Completed, but rejected by the tenant middleware (E1): the report's client errors.
    const rejected = !failed && random() < 0.05 ? (random() < 0.5 ? 401 : 403) : null
    const model = pick(MODELS)
    const id = `t${String(i).padStart(4, '0')}`
    const llmMs = Math.round(50 + random() * (tenantId === 'globex' ? 2400 : 900))
    const inputTokens = 100 + Math.floor(random() * 900)
    const outputTokens = 20 + Math.floor(random() * 300)
    const costUsd = model === 'gpt-4' ? (inputTokens * 30 + outputTokens * 60) / 1e6 : null
    const spans: SpanRecord[] = [
      spanRecord({
        id: `${id}-root`,
        traceId: id,
        tenantId,
        spanType: 'plan',
        name: 'handle request',
        startedAt: iso(start + 2),
        completedAt: iso(start + llmMs + 40),
        latencyMs: llmMs + 38,
        modelId: null,
        inputTokens: null,
        outputTokens: null,
        cachedInputTokens: null,
        input: { message: i % 7 === 0 ? SCRIPT_INPUT : `Question ${i}` },
        output: null,
      }),
      spanRecord({
        id: `${id}-llm`,
        traceId: id,
        parentSpanId: `${id}-root`,
        tenantId,
        name: 'chat',
        status: failed ? 'failed' : 'completed',
        startedAt: iso(start + 20),
        completedAt: iso(start + 20 + llmMs),
        latencyMs: llmMs,
        modelId: model,
        inputTokens,
        outputTokens,
        cachedInputTokens: 0,
        costUsd,
        input: { messages: [{ role: 'user', content: `Question ${i}` }] },
        output: i % 7 === 0 ? IMG_OUTPUT : `Answer ${i}`,
        error: failed ? 'HTTP 503 from the model' : null,
        metadata: { attempt: 1 },
      }),
    ]
    traces.push(
      traceRecord({
        id,
        tenantId,
        agentName: pick(AGENTS, [6, 3, 1]),
        status: failed ? 'failed' : 'completed',
        startedAt: iso(start),
        endedAt: iso(start + llmMs + 60),
        durationMs: llmMs + 60,
        inputTokens,
        outputTokens,
        cachedInputTokens: 0,
        costUsd,
        modelId: model,
        error: failed ? 'HTTP 503 from the model' : null,
        metadata: {
          http: { method: 'POST', route: '/chat', statusCode: failed ? 503 : (rejected ?? 200) },
        },
        spans,
      }),
    )
  }
  // The store is in the order traces ended.
  return traces.sort((a, b) => a.endedAt.localeCompare(b.endedAt))
}

/** Writes `traces` as the store file under `dir`. */
export async function writeStore(dir: string, traces: TraceRecord[]): Promise<void> {
  await writeFile(join(dir, 'traces.jsonl'), traces.map((t) => `${JSON.stringify(t)}\n`).join(''))
}

function iso(ms: number): string {
  return new Date(ms).toISOString()
}
