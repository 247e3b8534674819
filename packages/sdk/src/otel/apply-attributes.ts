/**
 * What a Tracium trace or span says as OpenTelemetry attributes, set when it ends (its name,
 * tags and token counts may change until then). Only computed when spans are exported as spans
 * (OTLP): the record exporters read the handles themselves.
 */
import { type Attributes, type Span as OtelSpan, SpanStatusCode } from '@opentelemetry/api'
import { safeStringify } from '../json.js'
import type { Span } from '../span.js'
import type { Trace } from '../trace.js'
import { ATTR, OPERATION_BY_SPAN_TYPE, ROOT_OPERATION } from './attributes.js'

/**
 * The root span's attributes: `invoke_agent` with `gen_ai.agent.name`, tags, version, the
 * request's HTTP facts (`metadata.http`) under their semantic-convention names, other metadata
 * and the summary as JSON.
 * @example
 * ```ts
 * applyTraceAttributes(trace.otelSpan, trace)
 * ```
 */
export function applyTraceAttributes(span: OtelSpan, trace: Trace): void {
  const attributes: Attributes = {
    [ATTR.operation]: ROOT_OPERATION,
    [ATTR.agentName]: trace.agentName,
  }
  if (trace.id !== span.spanContext().traceId) attributes[ATTR.traceId] = trace.id
  if (trace.version !== null) attributes[ATTR.version] = trace.version
  if (trace.modelId !== null) attributes[ATTR.requestModel] = trace.modelId
  const tags = trace.tags
  if (tags.length > 0) attributes[ATTR.tags] = [...tags]
  const { http, ...rest } = trace.metadata as { http?: Record<string, unknown> }
  if (http !== undefined && typeof http === 'object' && http !== null) {
    if (typeof http.method === 'string') attributes[ATTR.httpMethod] = http.method
    if (typeof http.path === 'string') attributes[ATTR.urlPath] = http.path
    if (typeof http.route === 'string') attributes[ATTR.httpRoute] = http.route
    if (typeof http.statusCode === 'number') attributes[ATTR.httpStatus] = http.statusCode
  }
  if (Object.keys(rest).length > 0) attributes[ATTR.metadata] = safeStringify(rest)
  if (trace.summary !== null && trace.summary !== undefined) {
    attributes[ATTR.summary] = safeStringify(trace.summary)
  }
  span.setAttributes(attributes)
}

/**
 * A span's attributes: `tracium.span.type`; llm spans as `chat` with the model and token
 * usage, tool spans as `execute_tool`; input, output and metadata as JSON.
 * @example
 * ```ts
 * applySpanAttributes(span.otelSpan, span)
 * ```
 */
export function applySpanAttributes(otel: OtelSpan, span: Span): void {
  const attributes: Attributes = { [ATTR.spanType]: span.spanType }
  const operation = OPERATION_BY_SPAN_TYPE[span.spanType]
  if (operation !== undefined) attributes[ATTR.operation] = operation
  if (span.spanType === 'tool') attributes[ATTR.toolName] = span.name
  if (span.modelId !== null) attributes[ATTR.requestModel] = span.modelId
  const usage = span.tokenUsage
  if (usage.inputTokens !== null) attributes[ATTR.inputTokens] = usage.inputTokens
  if (usage.outputTokens !== null) attributes[ATTR.outputTokens] = usage.outputTokens
  if (usage.cachedInputTokens !== null) attributes[ATTR.cacheReadTokens] = usage.cachedInputTokens
  if (span.tags.length > 0) attributes[ATTR.tags] = [...span.tags]
  if (span.input !== null && span.input !== undefined) attributes[ATTR.input] = json(span.input)
  if (span.output !== null && span.output !== undefined) attributes[ATTR.output] = json(span.output)
  if (Object.keys(span.metadata).length > 0)
    attributes[ATTR.metadata] = safeStringify(span.metadata)
  otel.setAttributes(attributes)
}

const json = (value: unknown): string => (typeof value === 'string' ? value : safeStringify(value))

/**
 * A failure as Tracium's backend reads it: status ERROR, and an `exception` event with the
 * error's type and message (the first such event names the error).
 * @example
 * ```ts
 * applyFailure(span.otelSpan, new Error('quota'), 'Error: quota')
 * ```
 */
export function applyFailure(span: OtelSpan, cause: unknown, text: string | null): void {
  span.setStatus({ code: SpanStatusCode.ERROR, ...(text !== null && { message: text }) })
  if (cause instanceof Error) span.recordException(cause)
  else span.recordException({ name: 'TraciumFailure', message: text ?? 'failed' })
}
