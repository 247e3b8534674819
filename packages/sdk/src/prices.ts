/**
 * Cost from token counts. The Python SDK leaves cost to its backend; the local store has no
 * backend, so `init({ prices })` lets the SDK price spans itself.
 */
import { invalidArgument } from './errors.js'

/**
 * USD per million tokens for one model. Cached input tokens are a part of the input tokens (as
 * OpenAI and Anthropic report them), billed at `cachedInput` instead of `input`.
 * @example
 * ```ts
 * const mini: ModelPrice = { input: 0.15, output: 0.6, cachedInput: 0.075 }
 * ```
 */
export interface ModelPrice {
  /** USD per million input tokens. */
  input: number
  /** USD per million output tokens. */
  output: number
  /** USD per million cached input tokens. Default: `input`. */
  cachedInput?: number
}

/**
 * Prices by model id, e.g. `{ 'gpt-4o-mini': { input: 0.15, output: 0.6 } }`.
 * @example
 * ```ts
 * tracium.init({ prices: { 'gpt-4o-mini': { input: 0.15, output: 0.6 } } })
 * ```
 */
export type ModelPrices = Readonly<Record<string, ModelPrice>>

/**
 * The price of `model` in `prices`, looking at own keys only: a model named `constructor` or
 * `__proto__` must not find Object.prototype's members (which used to give a cost of NaN).
 * @example
 * ```ts
 * priceOf({ 'gpt-4o': { input: 2.5, output: 10 } }, 'gpt-4o') // { input: 2.5, output: 10 }
 * priceOf({}, 'constructor') // undefined
 * ```
 */
export function priceOf(
  prices: ModelPrices | undefined,
  model: string | null,
): ModelPrice | undefined {
  return prices !== undefined && model !== null && Object.hasOwn(prices, model)
    ? prices[model]
    : undefined
}

/** Token counts of one span. */
export interface TokenUsage {
  inputTokens?: number | null
  outputTokens?: number | null
  cachedInputTokens?: number | null
}

/**
 * The cost in USD of `usage` at `price`, or `null` when there is no price or no token count.
 * @example
 * ```ts
 * costOf({ inputTokens: 1000, outputTokens: 500 }, { input: 2.5, output: 10 }) // 0.0075
 * ```
 */
export function costOf(usage: TokenUsage, price: ModelPrice | undefined): number | null {
  if (price === undefined) return null
  const { inputTokens, outputTokens, cachedInputTokens } = usage
  if (inputTokens == null && outputTokens == null) return null
  const cached = Math.min(cachedInputTokens ?? 0, inputTokens ?? 0)
  const uncached = (inputTokens ?? 0) - cached
  const micro =
    uncached * price.input +
    cached * (price.cachedInput ?? price.input) +
    (outputTokens ?? 0) * price.output
  return micro / 1_000_000
}

/**
 * Checks `init({ prices })` once, so a typo fails at start-up rather than pricing spans at NaN.
 * @throws {TraciumError} `INVALID_ARGUMENT` for a price that is not a finite number ≥ 0.
 * @example
 * ```ts
 * validatePrices({ 'gpt-4o': { input: 2.5, output: 10 } })
 * ```
 */
export function validatePrices(prices: unknown): ModelPrices {
  if (typeof prices !== 'object' || prices === null || Array.isArray(prices)) {
    throw invalidArgument('prices must be an object of { [modelId]: { input, output } }.')
  }
  for (const [model, price] of Object.entries(prices)) {
    const p = price as Partial<ModelPrice> | null
    for (const key of ['input', 'output', 'cachedInput'] as const) {
      const value = p?.[key]
      if (key === 'cachedInput' && value === undefined) continue
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw invalidArgument(
          `prices[${JSON.stringify(model)}].${key} must be a number ≥ 0 (USD per million tokens).`,
        )
      }
    }
  }
  return prices as ModelPrices
}
