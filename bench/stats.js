// The summary statistics run.js and paired.js report.

/** The `q` quantile (0–1) of `sorted` (ascending), interpolated between the two nearest values. */
export function quantile(sorted, q) {
  const at = (sorted.length - 1) * q
  const low = Math.floor(at)
  return sorted[low] + (sorted[Math.min(low + 1, sorted.length - 1)] - sorted[low]) * (at - low)
}

/** The median of `values`, in any order: the mean of the middle two for an even count. */
export function median(values) {
  return quantile(
    values.toSorted((a, b) => a - b),
    0.5,
  )
}
