/**
 * From an ended OpenTelemetry span's GenAI attributes to the local store's span fields: the
 * spans of `@opentelemetry/instrumentation-openai` (or any GenAI instrumentation) then count in
 * `tracium report`'s tokens and cost like a hand-made `llm` span.
 *
 * It reads the attributes the way Tracium's backend does (`../shared/reference/tracium-otlp.md`):
 * the model is `gen_ai.request.model`, else `gen_ai.response.model`; the input tokens are
 * `gen_ai.usage.input_tokens`, else the older `gen_ai.usage.prompt_tokens` or
 * `llm.usage.prompt_tokens` (they include cached tokens); the output tokens are
 * `gen_ai.usage.output_tokens`, else `…completion_tokens`; cached input tokens are
 * `gen_ai.usage.cache_read.input_tokens`. So the local report and the backend agree on a span.
 */
import { ATTR } from '../otel/attributes.js'
import { costOf, type ModelPrices, priceOf } from '../prices.js'
import type { SpanRecord } from '../records.js'

/**
 * The span fields a GenAI span fills in. `spanType` is `'llm'` for a model call (`chat`,
 * `text_completion`, `generate_content`, `embeddings`, or no operation name but a model),
 * `'tool'` for `execute_tool`, `null` for the other operations (`invoke_agent`,
 * `create_agent`: an agent's own span, whose type the caller decides).
 * @example
 * ```ts
 * const fields: GenAiSpanFields = genAiSpanFields(span.attributes, prices)!
 * record.inputTokens = fields.inputTokens
 * ```
 */
export type GenAiSpanFields = Pick<
  SpanRecord,
  'modelId' | 'inputTokens' | 'outputTokens' | 'cachedInputTokens' | 'costUsd'
> & { spanType: 'llm' | 'tool' | null }

const MODEL_CALLS = new Set(['chat', 'text_completion', 'generate_content', 'embeddings'])

/**
 * The GenAI fields of a span with these attributes, or `null` when the span is not a GenAI span
 * (it has neither `gen_ai.operation.name` nor a model attribute). Pure: it reads `attributes`
 * and `prices` only. The cost is {@link costOf} at `prices[modelId]` (the request's model, as
 * `init({ prices })` is keyed by the names apps ask for, then the response's model, e.g.
 * `gpt-4o-2024-08-06`), `null` without a price or token counts.
 *
 * @param attributes the span's attributes (`ReadableSpan.attributes`). Default: none.
 * @param prices `init({ prices })`. Default: none (no cost).
 * @example
 * ```ts
 * genAiSpanFields(
 *   { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4',
 *     'gen_ai.usage.input_tokens': 12, 'gen_ai.usage.output_tokens': 7 },
 *   { 'gpt-4': { input: 30, output: 60 } },
 * )
 * // { spanType: 'llm', modelId: 'gpt-4', inputTokens: 12, outputTokens: 7,
 * //   cachedInputTokens: null, costUsd: 0.00078 }
 * ```
 */
export function genAiSpanFields(
  attributes: Readonly<Record<string, unknown>>,
  prices?: ModelPrices,
): GenAiSpanFields | null {
  const operation = text(attributes[ATTR.operation])
  const requestModel = text(attributes[ATTR.requestModel])
  const responseModel = text(attributes[ATTR.responseModel])
  const modelId = requestModel ?? responseModel
  if (operation === null && modelId === null) return null
  const usage = {
    inputTokens: count(
      attributes[ATTR.inputTokens] ??
        attributes['gen_ai.usage.prompt_tokens'] ??
        attributes['llm.usage.prompt_tokens'],
    ),
    outputTokens: count(
      attributes[ATTR.outputTokens] ??
        attributes['gen_ai.usage.completion_tokens'] ??
        attributes['llm.usage.completion_tokens'],
    ),
    cachedInputTokens: count(attributes[ATTR.cacheReadTokens]),
  }
  const price = priceOf(prices, requestModel) ?? priceOf(prices, responseModel)
  return {
    spanType:
      operation === null || MODEL_CALLS.has(operation)
        ? 'llm'
        : operation === 'execute_tool'
          ? 'tool'
          : null,
    modelId,
    ...usage,
    costUsd: costOf(usage, price),
  }
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null
}

// A token count is a whole number ≥ 0; anything else (a string, NaN, -1) is no count rather
// than a cost computed from garbage.
function count(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null
}
