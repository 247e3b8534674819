import type { SpanRecord, TraceRecord } from '../src/index.js'

/** A deterministic finished span. */
export function spanRecord(overrides: Partial<SpanRecord> = {}): SpanRecord {
  return {
    id: 'span-1',
    traceId: 'trace-1',
    parentSpanId: null,
    tenantId: 'acme',
    spanType: 'llm',
    name: 'answer',
    status: 'completed',
    startedAt: '2025-03-01T10:00:00.100Z',
    completedAt: '2025-03-01T10:00:00.900Z',
    latencyMs: 800.4,
    modelId: 'gpt-4o-mini',
    inputTokens: 120,
    outputTokens: 45,
    cachedInputTokens: 20,
    costUsd: null,
    input: { prompt: 'Where is my order?' },
    output: 'It ships today.',
    error: null,
    tags: [],
    metadata: {},
    ...overrides,
  }
}

/** A deterministic finished trace. */
export function traceRecord(overrides: Partial<TraceRecord> = {}): TraceRecord {
  return {
    id: 'trace-1',
    tenantId: 'acme',
    agentName: 'support-bot',
    status: 'completed',
    startedAt: '2025-03-01T10:00:00.000Z',
    endedAt: '2025-03-01T10:00:01.000Z',
    durationMs: 1000,
    inputTokens: 0,
    outputTokens: 0,
    cachedInputTokens: 0,
    costUsd: null,
    modelId: null,
    version: null,
    tags: [],
    metadata: {},
    summary: null,
    error: null,
    spans: [],
    ...overrides,
  }
}
