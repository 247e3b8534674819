/**
 * The Tracium HTTP API's JSON bodies, as the Python SDK sends them: snake_case, optional trace
 * fields left out when unset, every span field present (`null` when unset). Key order is fixed
 * here so bodies are byte-for-byte stable.
 */
import type { SpanRecord, TraceRecord } from '../records.js'

/** Most spans in one `POST /agents/traces/{id}/spans` call. */
export const MAX_SPANS_PER_CALL = 1000

/**
 * Body of `POST /agents/traces`.
 * @example
 * ```ts
 * createTraceBody(record) // { agent_name: 'bot', trace_id: '…', tenant_id: 'acme' }
 * ```
 */
export function createTraceBody(trace: TraceRecord): Record<string, unknown> {
  const body: Record<string, unknown> = { agent_name: trace.agentName }
  if (trace.modelId !== null) body.model_id = trace.modelId
  if (trace.tags.length > 0) body.tags = trace.tags
  body.trace_id = trace.id
  if (trace.version !== null) body.version = trace.version
  if (trace.tenantId !== null) body.tenant_id = trace.tenantId
  return body
}

/**
 * One element of the `spans` array of `POST /agents/traces/{id}/spans`.
 * @example
 * ```ts
 * spanBody(span).span_type // 'llm'
 * ```
 */
export function spanBody(span: SpanRecord): Record<string, unknown> {
  return {
    id: span.id,
    span_type: span.spanType,
    status: span.status,
    started_at: span.startedAt,
    completed_at: span.completedAt,
    name: span.name,
    parent_span_id: span.parentSpanId,
    model_id: span.modelId,
    tenant_id: span.tenantId,
    input: span.input,
    output: span.output,
    error: span.error,
    // Whole milliseconds on the wire, as the Python SDK sends them.
    latency_ms: span.latencyMs === null ? null : Math.round(span.latencyMs),
    input_tokens: span.inputTokens,
    output_tokens: span.outputTokens,
    cached_input_tokens: span.cachedInputTokens,
  }
}

/**
 * Body of `POST /agents/traces/{id}/complete`.
 * @example
 * ```ts
 * completeBody(record) // { summary: { answered: true }, tags: ['prod'] }
 * ```
 */
export function completeBody(trace: TraceRecord): Record<string, unknown> {
  const body: Record<string, unknown> = {}
  if (trace.summary !== null) body.summary = trace.summary
  if (trace.tags.length > 0) body.tags = trace.tags
  return body
}

/**
 * Body of `POST /agents/traces/{id}/fail`.
 * @example
 * ```ts
 * failBody(record) // { error: 'TimeoutError: model' }
 * ```
 */
export function failBody(trace: TraceRecord): Record<string, unknown> {
  return trace.error === null ? {} : { error: trace.error }
}
