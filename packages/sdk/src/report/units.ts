/**
 * How `tracium report` and the `tracium ui` page write numbers: one definition for both, so the
 * page and the report print the same value the same way (issue 12: they must agree exactly).
 * No imports: the page's bundle includes this file.
 */

/**
 * A count with thousands separators.
 * @example
 * ```ts
 * count(12345) // '12,345'
 * ```
 */
export function count(value: number): string {
  return value.toLocaleString('en-US')
}

/**
 * A rate as a percentage with one decimal; `none` for `null`.
 * @example
 * ```ts
 * percent(0.1234) // '12.3%'
 * ```
 */
export function percent(rate: number | null, none = '-'): string {
  return rate === null ? none : `${(rate * 100).toFixed(1)}%`
}

/**
 * A duration for people: `ms` below a second, else seconds; `none` for `null`.
 * @example
 * ```ts
 * duration(1234) // '1.23 s'
 * ```
 */
export function duration(ms: number | null, none = '-'): string {
  if (ms === null) return none
  return ms < 1000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(2)} s`
}

/**
 * A cost in USD; sub-dollar costs (typical per tenant in development) keep six decimals; `none`
 * for `null`.
 * @example
 * ```ts
 * usd(0.00012) // '$0.000120'
 * ```
 */
export function usd(value: number | null, none = '-'): string {
  if (value === null) return none
  return `$${value.toFixed(value >= 1 ? 2 : 6)}`
}
