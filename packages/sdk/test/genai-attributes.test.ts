import { describe, expect, it } from 'vitest'
import { genAiSpanFields } from '../src/exporters/genai-attributes.js'

const PRICES = {
  'gpt-4o': { input: 2.5, output: 10, cachedInput: 1.25 },
  'gpt-4o-2024-08-06': { input: 5, output: 20 },
}

describe('genAiSpanFields(): gen_ai attributes → the store’s llm span fields', () => {
  it('a chat span: model, tokens, cached tokens and cost at the request model’s price', () => {
    expect(
      genAiSpanFields(
        {
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.response.model': 'gpt-4o-2024-08-06',
          'gen_ai.usage.input_tokens': 1000,
          'gen_ai.usage.output_tokens': 500,
          'gen_ai.usage.cache_read.input_tokens': 400,
        },
        PRICES,
      ),
    ).toEqual({
      spanType: 'llm',
      modelId: 'gpt-4o',
      inputTokens: 1000,
      outputTokens: 500,
      cachedInputTokens: 400,
      costUsd: (600 * 2.5 + 400 * 1.25 + 500 * 10) / 1_000_000,
    })
  })

  it('the response model when there is no request model; the older token names', () => {
    expect(
      genAiSpanFields(
        {
          'gen_ai.response.model': 'gpt-4o-2024-08-06',
          'gen_ai.usage.prompt_tokens': 10,
          'gen_ai.usage.completion_tokens': 20,
        },
        PRICES,
      ),
    ).toMatchObject({
      spanType: 'llm',
      modelId: 'gpt-4o-2024-08-06',
      inputTokens: 10,
      outputTokens: 20,
      costUsd: (10 * 5 + 20 * 20) / 1_000_000,
    })
    expect(
      genAiSpanFields({ 'gen_ai.request.model': 'm', 'llm.usage.prompt_tokens': 3 }),
    ).toMatchObject({ inputTokens: 3, outputTokens: null, costUsd: null })
  })

  it('not a GenAI span: null; tools and agents: their own type', () => {
    expect(genAiSpanFields({ 'http.method': 'GET' })).toBeNull()
    expect(genAiSpanFields({})).toBeNull()
    expect(genAiSpanFields({ 'gen_ai.operation.name': 'execute_tool' })).toMatchObject({
      spanType: 'tool',
      modelId: null,
      costUsd: null,
    })
    expect(genAiSpanFields({ 'gen_ai.operation.name': 'invoke_agent' })?.spanType).toBeNull()
    expect(genAiSpanFields({ 'gen_ai.operation.name': 'embeddings' })?.spanType).toBe('llm')
  })

  it('garbage counts are no counts, and a model named like an Object key finds no price', () => {
    expect(
      genAiSpanFields(
        {
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.usage.input_tokens': -1,
          'gen_ai.usage.output_tokens': '12',
          'gen_ai.usage.cache_read.input_tokens': 1.5,
        },
        PRICES,
      ),
    ).toMatchObject({
      inputTokens: null,
      outputTokens: null,
      cachedInputTokens: null,
      costUsd: null,
    })
    for (const model of ['constructor', '__proto__', 'toString']) {
      expect(
        genAiSpanFields({ 'gen_ai.request.model': model, 'gen_ai.usage.input_tokens': 5 }, PRICES)
          ?.costUsd,
      ).toBeNull()
    }
  })
})
