/**
 * A log-bucketed histogram for p50/p95 in bounded memory: a store of a million traces must not
 * mean an array of a million durations.
 *
 * Bucket `i` holds values in `(γ^(i-1), γ^i]` with γ = 1.02, and reports the point
 * `2γ^i / (1 + γ)` that is at most `(γ - 1) / (γ + 1)` ≈ 0.99 % away from any value in it. Since
 * buckets keep the order of values, a quantile lands in the bucket of the exact nearest-rank
 * quantile: **reported quantiles are within 1 % of the exact ones**. Memory: one map entry per
 * bucket in use, at most ~1,300 buckets between 1 µs and 10 days.
 *
 * Histograms merge exactly (bucket counts add), so per-hour histograms stored in a rollup
 * (`rollup.ts`) give the same quantiles as one histogram over all the traces.
 */

/** Bucket growth factor. */
export const GAMMA = 1.02

/**
 * The largest relative error of a reported quantile: (γ - 1) / (γ + 1).
 * @example
 * ```ts
 * RELATIVE_ERROR // 0.0099…
 * ```
 */
export const RELATIVE_ERROR = (GAMMA - 1) / (GAMMA + 1)

const LOG_GAMMA = Math.log(GAMMA)

/**
 * Counts values (≥ 0) and answers quantiles within {@link RELATIVE_ERROR}.
 * @example
 * ```ts
 * const h = new LogHistogram()
 * for (const ms of [10, 20, 30, 40]) h.add(ms)
 * h.quantile(0.5) // ≈ 20
 * ```
 */
export class LogHistogram {
  readonly #buckets = new Map<number, number>()
  // Values ≤ 0 have no logarithm; they are exactly 0 for durations.
  #zeros = 0
  #count = 0

  /** Number of values added. */
  get count(): number {
    return this.#count
  }

  /** Buckets in use: the memory this histogram holds. */
  get buckets(): number {
    return this.#buckets.size + (this.#zeros > 0 ? 1 : 0)
  }

  /** Adds a value; negative and non-finite values are ignored (no duration is). */
  add(value: number): void {
    if (!(value >= 0) || value === Number.POSITIVE_INFINITY) return
    this.#count++
    if (value === 0) {
      this.#zeros++
      return
    }
    const index = Math.ceil(Math.log(value) / LOG_GAMMA)
    this.#buckets.set(index, (this.#buckets.get(index) ?? 0) + 1)
  }

  /**
   * Adds every value counted by `other` (exact: the counts of equal buckets add).
   * @example
   * ```ts
   * total.merge(hourly) // total now also counts hourly's values
   * ```
   */
  merge(other: LogHistogram): this {
    this.#zeros += other.#zeros
    this.#count += other.#count
    for (const [index, n] of other.#buckets) {
      this.#buckets.set(index, (this.#buckets.get(index) ?? 0) + n)
    }
    return this
  }

  /**
   * The histogram as flat numbers: `[zeros, index, count, index, count, …]`, buckets by index.
   * {@link LogHistogram.fromJSON} reads it back.
   * @example
   * ```ts
   * JSON.stringify(histogram) // '[0,233,2,349,1]'
   * ```
   */
  toJSON(): number[] {
    const out = [this.#zeros]
    for (const index of [...this.#buckets.keys()].sort((a, b) => a - b)) {
      out.push(index, this.#buckets.get(index)!)
    }
    return out
  }

  /**
   * Reads {@link LogHistogram.toJSON}'s output; `null` when `value` is not one (wrong length,
   * a count that is not a positive safe integer, an index that is not an integer).
   * @example
   * ```ts
   * LogHistogram.fromJSON(JSON.parse(text)) ?? rebuild()
   * ```
   */
  static fromJSON(value: unknown): LogHistogram | null {
    if (!Array.isArray(value) || value.length % 2 !== 1) return null
    const histogram = new LogHistogram()
    const zeros: unknown = value[0]
    if (!isCount(zeros, true)) return null
    histogram.#zeros = zeros
    let count = zeros
    for (let i = 1; i < value.length; i += 2) {
      const index: unknown = value[i]
      const n: unknown = value[i + 1]
      if (!Number.isSafeInteger(index) || !isCount(n, false)) return null
      if (histogram.#buckets.has(index as number)) return null
      histogram.#buckets.set(index as number, n)
      count += n
    }
    if (!Number.isSafeInteger(count)) return null
    histogram.#count = count
    return histogram
  }

  /** The nearest-rank `q` quantile (0 < q ≤ 1), or `null` when empty. */
  quantile(q: number): number | null {
    if (this.#count === 0) return null
    const rank = Math.max(1, Math.ceil(q * this.#count))
    if (rank <= this.#zeros) return 0
    let seen = this.#zeros
    const indexes = [...this.#buckets.keys()].sort((a, b) => a - b)
    for (const index of indexes) {
      seen += this.#buckets.get(index)!
      if (seen >= rank) return (2 * GAMMA ** index) / (1 + GAMMA)
    }
    return null // unreachable: the counts add up to #count
  }
}

function isCount(value: unknown, zeroOk: boolean): value is number {
  return Number.isSafeInteger(value) && (value as number) >= (zeroOk ? 0 : 1)
}
